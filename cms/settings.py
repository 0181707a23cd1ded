"""HọcSố settings: one module, every deployment difference read from the environment.

Variables (see README): DEBUG, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL,
CONTENT_ORIGIN, APP_ORIGIN, EMAIL_URL, DEFAULT_FROM_EMAIL, MEDIA_ROOT, STATIC_ROOT,
SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, PRIVACY_NOTICE_VERSION.
Without DATABASE_URL the site runs on a SQLite file; without REDIS_URL tasks run eagerly
in-process and the cache is local memory: the embedded defaults of `make demo`.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from cms.config import ConfigError, env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigError(
            "SECRET_KEY", "is required when DEBUG is off (production refuses to start)."
        )
    SECRET_KEY = "insecure-development-key-only-for-DEBUG"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ConfigError(
        "ALLOWED_HOSTS", "is required when DEBUG is off (comma-separated host names)."
    )

# The learner-facing app and the separate origin that serves H5P content (no cookies there).
APP_ORIGIN = env_url("APP_ORIGIN", "http://127.0.0.1:8000", ("http", "https"))
CONTENT_ORIGIN = env_url("CONTENT_ORIGIN", "http://localhost:8000", ("http", "https"))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [APP_ORIGIN])

INSTALLED_APPS = [
    # Our apps first so their templates override allauth's and Wagtail's.
    "cms",
    "accounts",
    "courses",
    "courses.certificates",
    "assessments",
    "assessments.h5p",
    "campaigns",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.apps.HocSoUsersAppConfig",  # wagtail.users with our user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

if not DEBUG:
    # Collected static files served by gunicorn itself (compressed, cache-busted names).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "campaigns.context_processors.manager_nav",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL=postgres://... in production and CI.
_database_url = env_url(
    "DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}", ("sqlite", "postgres", "postgresql")
)
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except ValueError as exc:
    raise ConfigError("DATABASE_URL", f"cannot be parsed: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite in the demo: wait for the writer instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and task broker: Redis when REDIS_URL is set, else in-process.
REDIS_URL = env_url("REDIS_URL", None, ("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "hocso"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES_NAMES = ("default", "media", "reports", "certificates", "mail")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"

# Wagtail's own background tasks (django-tasks) run immediately: no second queue to run.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# allauth: e-mail is the login; full name and consent are asked at sign-up.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_SIGNUP_FORM_CLASS = "campaigns.forms.SignupForm"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ACCOUNT_PRESERVE_USERNAME_CASING = False
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# The version of the privacy notice a sign-up consents to; bump it when the notice changes.
PRIVACY_NOTICE_VERSION = env_str("PRIVACY_NOTICE_VERSION", "2026-01")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# Ours first; locale_thirdparty holds Vietnamese for apps that ship none (allauth).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "static_collected")))
STATICFILES_DIRS = (
    [BASE_DIR / "build" / "static"] if (BASE_DIR / "build" / "static").is_dir() else []
)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

WAGTAIL_SITE_NAME = "HọcSố"
WAGTAILADMIN_BASE_URL = APP_ORIGIN
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "txt", "csv"]

# Mail: console in development, SMTP in production (EMAIL_URL=smtp://user:pass@host:587).
_email_url = env_url("EMAIL_URL", "console://", ("console", "smtp", "smtps", "locmem"))
if _email_url.startswith("console"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif _email_url.startswith("locmem"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    from urllib.parse import unquote, urlparse

    _mail = urlparse(_email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or ""
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = _mail.scheme == "smtp"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "HọcSố <no-reply@hocso.local>")

# Security: strict by default in production; `manage.py check --deploy` runs in CI.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the lesson page's JS reads it to post progress
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail's immediate background tasks log every run at INFO: noise in the demo.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# Demo content loaders for `manage.py seed_demo`, lower floors first (each `<app>.demo.load`).
DEMO_LOADERS = ["cms.demo", "assessments.demo", "assessments.h5p.demo", "courses.demo",
                "courses.certificates.demo", "campaigns.demo"]  # fmt: skip

# --- Certificates (courses.certificates) ---------------------------------------------------
# A TTF font with complete Vietnamese coverage (Debian: apt-get install fonts-dejavu-core).
CERTIFICATE_FONT_PATH = env_str(
    "CERTIFICATE_FONT_PATH", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)
CERTIFICATE_FONT_BOLD_PATH = env_str(
    "CERTIFICATE_FONT_BOLD_PATH", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
)
# Rendered PDFs live in private storage, served only through the owner's download view.
CERTIFICATE_STORAGE_ROOT = Path(
    env_str("CERTIFICATE_STORAGE_ROOT", str(BASE_DIR / "var" / "private" / "certificates"))
)
STORAGES["certificates"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": CERTIFICATE_STORAGE_ROOT, "base_url": "/no-public-url/"},
}
# Optional PAdES signature: a PKCS#12 file (key + certificate chain) and its password.
CERTIFICATE_SIGNING_PKCS12_PATH = env_str("CERTIFICATE_SIGNING_PKCS12_PATH", "")
CERTIFICATE_SIGNING_PKCS12_PASSWORD = env_str("CERTIFICATE_SIGNING_PKCS12_PASSWORD", "")
# Public verification page: requests per minute per IP address.
CERTIFICATE_VERIFY_RATE_LIMIT = env_int("CERTIFICATE_VERIFY_RATE_LIMIT", 30)

# --- H5P (assessments.h5p) ------------------------------------------------------------------
# Uploads, extracted content and the library pool live in private storage, never under
# MEDIA_ROOT: they are reachable only on CONTENT_ORIGIN through a short-lived signed token.
H5P_STORAGE_ROOT = Path(env_str("H5P_STORAGE_ROOT", str(BASE_DIR / "var" / "h5p")))
H5P_TOKEN_SECONDS = env_int("H5P_TOKEN_SECONDS", 2 * 60 * 60)  # one lesson sitting
# H5P: the content-origin middleware answers CONTENT_ORIGIN requests before sessions/cookies.
MIDDLEWARE.insert(0, "assessments.h5p.middleware.ContentOriginMiddleware")

# --- Campaigns ------------------------------------------------------------------------
# Uploaded learner import files hold personal data: kept on disk outside MEDIA (never
# served), on a path the web process and the Celery workers share.
CAMPAIGNS_IMPORT_DIR = Path(env_str("CAMPAIGNS_IMPORT_DIR", str(BASE_DIR / "var" / "imports")))
# Rows applied per transaction (and checkpoint) by the background import.
CAMPAIGNS_IMPORT_BATCH = env_int("CAMPAIGNS_IMPORT_BATCH", 500)
# A QR attendance link is accepted this long before a session starts (minutes).
CAMPAIGNS_ATTENDANCE_EARLY_MINUTES = 30
# Report periods: 1 = calendar months; N (2..28) = from day N of the previous month to day
# N-1 (Decree 09/2019/ND-CP uses 15). Changing it needs `manage.py rollups_rebuild`.
REPORT_CUTOFF_DAY = env_int("REPORT_CUTOFF_DAY", 1)
if not 1 <= REPORT_CUTOFF_DAY <= 28:
    raise ConfigError("REPORT_CUTOFF_DAY", "must be a day between 1 and 28")
# Finished report files (exports) are kept here, outside MEDIA: they hold personal data and
# are served only to the manager who asked for them.
REPORTS_DIR = Path(env_str("REPORTS_DIR", str(BASE_DIR / "var" / "reports")))
# Open data: counts below this are shown as "<N" (no one can be singled out).
OPEN_DATA_MIN_COUNT = 5

# --- Media (cms: infographics, video library) -------------------------------------------
# Image uploads: raster formats only; SVG (which can carry scripts) is refused by Wagtail's
# extension check. Sizes bound what one upload may cost to store and to resize.
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 15 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# Video originals: checked by size, signature and an ffmpeg decode before being stored.
HOCSO_VIDEO_MAX_UPLOAD_BYTES = env_int("HOCSO_VIDEO_MAX_UPLOAD_BYTES", 500 * 1024 * 1024)
