"""Complete and safe settings. dev, test and prod differ only where they must."""

from __future__ import annotations

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config import env

BASE_DIR = env.BASE_DIR
DATA_DIR = env.DATA_DIR

SECRET_KEY = env.SECRET_KEY or "insecure-dev-key-change-me-in-production-0123456789abcdef"
DEBUG = env.DEBUG
ALLOWED_HOSTS = env.ALLOWED_HOSTS

INSTALLED_APPS = [
    "suksa.interfaces.web.admin_apps.SuksaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "suksa.core",
    "suksa.domains.accounts",
    "suksa.domains.students",
    "suksa.domains.monitoring",
    "suksa.domains.insights",
    "suksa.domains.cockpit",
    "suksa.interfaces.api",
    "suksa.interfaces.web",
    "suksa.interfaces.cli",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "suksa.interfaces.web.middleware.ThaiFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "suksa.core.middleware.RequestContextMiddleware",
    "suksa.domains.accounts.middleware.ActorMiddleware",
    "suksa.interfaces.web.twofactor.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "suksa.interfaces.web.context.shell",
            ],
        },
    }
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(env.DATABASE_URL, conn_max_age=60)
    if env.DATABASE_URL
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "suksa.sqlite3"),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
            ),
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Login throttling (django-axes): lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False

SUKSA_ENFORCE_2FA = env.ENFORCE_2FA
# Background jobs (imports, computations): False = a daemon thread in the web process after commit
# (the embedded default) or the `suksa worker` command in production; tests run them inline.
SUKSA_JOBS_INLINE = False
SUKSA_JOBS_MODE = env.JOBS_MODE if env.JOBS_MODE in {"thread", "worker"} else "thread"
# Recompute the insights of a round when one of its reports is approved (debounced background job).
SUKSA_INSIGHTS_ON_APPROVAL = True
# Optional LLM rephrasing of policy briefs (OpenAI-compatible /v1/chat/completions; blank: off).
SUKSA_LLM_BASE_URL = env.LLM_BASE_URL
SUKSA_LLM_MODEL = env.LLM_MODEL
SUKSA_LLM_API_KEY = env.LLM_API_KEY
SUKSA_LLM_TIMEOUT = env.LLM_TIMEOUT

# Sessions and cookies.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = env.SECURE_COOKIES
CSRF_COOKIE_SECURE = env.SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Internationalisation: Thai first, English second. Dates are stored in CE and shown in BE.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("ไทย")), ("en", _("English"))]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "suksa_language"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start-up when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "suksa.interfaces.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Suksa API",
    "DESCRIPTION": "Suksa (ศึกษา) REST API v1. Every endpoint is scoped to the caller's org units.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc assets come from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "GradeEnum": "suksa.core.models.School.Grade",
        "DropoutReasonEnum": "suksa.domains.students.models.choices.DropoutReason",
        "EnrolmentStatusEnum": "suksa.domains.students.models.choices.EnrolmentStatus",
        "TransferStatusEnum": "suksa.domains.students.models.Transfer.Status",
        "DuplicateClaimStatusEnum": "suksa.domains.students.models.DuplicateClaim.Status",
        "YearEndBatchStatusEnum": "suksa.domains.students.models.YearEndBatch.Status",
        "CensusReturnStatusEnum": "suksa.domains.students.models.CensusReturn.Status",
        "CensusRoundStatusEnum": "suksa.domains.students.models.CensusRound.Status",
        "JobStatusEnum": "suksa.core.models.Job.Status",
    },
}

EMAIL_BACKEND = env.EMAIL_URL or "django.core.mail.backends.console.EmailBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
