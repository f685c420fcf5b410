"""Test settings: fast hashing, in-memory caches, no 2FA gate unless a test turns it on."""

import tempfile as _tempfile
from pathlib import Path as _Path

from config.settings.base import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SUKSA_ENFORCE_2FA = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = str(DATA_DIR / "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in-memory
AXES_ENABLED = True
# Background jobs run synchronously in tests, so a test sees the job's result when the call returns.
SUKSA_JOBS_INLINE = True
# Uploaded files (evidence, job inputs) of a test run go to a throw-away directory, never var/media.
MEDIA_ROOT = _Path(_tempfile.mkdtemp(prefix="suksa-test-media-"))
# An approved report starts an insights run of its round (a background job, run inline in tests):
# off here so that review tests stay fast; the hook's own test turns it on.
SUKSA_INSIGHTS_ON_APPROVAL = False
# `suksa demo` computes the insights of the open round after the history; tests of the demo
# command skip it (the insights tests run their own stages).
SUKSA_DEMO_INSIGHTS = False
