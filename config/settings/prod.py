"""Production: PostgreSQL, secure cookies, a real secret. Differs from base only by env vars."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *

if not env.SECRET_KEY or not env.DATABASE_URL:
    raise ImproperlyConfigured("SUKSA_SECRET_KEY and DATABASE_URL must be set in production")
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
