"""The only module that reads the process environment.

Every setting that may differ between a laptop, CI and production is read here, once, with a
safe default for the embedded (SQLite) mode. Settings modules import from this module; nothing
else in the codebase touches ``os.environ``.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("SUKSA_DATA_DIR", BASE_DIR / "var")).resolve()
DATABASE_URL = os.environ.get("DATABASE_URL", "")
SECRET_KEY = os.environ.get("SUKSA_SECRET_KEY", "")
DEBUG = _bool("SUKSA_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("SUKSA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
SECURE_COOKIES = _bool("SUKSA_SECURE_COOKIES", False)
EMAIL_URL = os.environ.get("SUKSA_EMAIL_BACKEND", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
# Whether TOTP two-factor is enforced for national and ESA roles. On by default; the demo
# launcher turns it off so that a newcomer can log in with the printed passwords.
ENFORCE_2FA = _bool("SUKSA_ENFORCE_2FA", True)
# Where background jobs run: "thread" (in the web process; the embedded default) or "worker"
# (queued for `suksa worker`; production, several web nodes).
JOBS_MODE = os.environ.get("SUKSA_JOBS_MODE", "thread")
# An optional OpenAI-compatible chat endpoint that may rephrase policy briefs (never required;
# blank: briefs keep the template writer's text). Base URL up to /v1, e.g. http://127.0.0.1:8080/v1.
LLM_BASE_URL = os.environ.get("SUKSA_LLM_BASE_URL", "")
LLM_MODEL = os.environ.get("SUKSA_LLM_MODEL", "")
LLM_API_KEY = os.environ.get("SUKSA_LLM_API_KEY", "")
try:
    LLM_TIMEOUT = float(os.environ.get("SUKSA_LLM_TIMEOUT", "30"))
except ValueError:
    LLM_TIMEOUT = 30.0
