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

from cms.config import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_str,
    env_url,
    running_tests,
)

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
    "courses.offline",
    "assessments",
    "assessments.h5p",
    "assessments.scorm",
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
    "allauth.usersessions",
    # Single sign-on for civil servants: a province's OpenID Connect provider (or VNeID).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every app response (cms/headers.py).
    "cms.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware with the user's row from the cache (issue 16).
    "accounts.middleware.CachedUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Log-in and the other account forms fail closed when the cache is down (cms/ratelimit.py).
    "cms.ratelimit.AccountRateLimitFailClosedMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.MfaRequiredMiddleware",
    # Consent to the current privacy notice before anything else (accounts/privacy_consent.py).
    "accounts.privacy_consent.ConsentRequiredMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Wagtail's Site and page route per host and path, memoised per process (cms/middleware.py).
    "cms.middleware.WagtailRouteMemoMiddleware",
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
    # Persistent connections, checked before each request's first query: after a PostgreSQL
    # restart the app reconnects by itself (cms/resilience.py answers the gap with a 503).
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    }
except ValueError as exc:
    raise ConfigError("DATABASE_URL", f"cannot be parsed: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite in the demo: wait for the writer instead of failing with "database is locked".
    # Connections are kept like PostgreSQL's (60 s): opening one per request (and SQLite
    # reading the schema again) cost a third of a logged-in page's CPU (issue 16).
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and task broker: Redis when REDIS_URL is set, else in-process.
REDIS_URL = env_url("REDIS_URL", None, ("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down = cache misses, never a 500 (cms/cache.py).
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "hocso"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
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
# A request never waits on a dead broker for more than about 1 s: one connection attempt,
# short socket timeouts, no publish retry. What could not be sent stays in the outbox
# (cms/outbox.py) and the beat sweep sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
# A task taken by a worker that died (SIGKILL, power) is delivered again after this;
# longer than the longest task (acks late: a running task is not yet acknowledged).
celery_visibility_timeout = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "max_retries": 0,
    "visibility_timeout": celery_visibility_timeout,
    # kombu looks for such tasks every interval x throttle seconds (10 x 10 by default);
    # a short timeout (the fault tests' 5 s) is looked for every few seconds instead.
    "unacked_restore_interval": min(10, celery_visibility_timeout),
    "unacked_restore_throttle": 1 if celery_visibility_timeout < 100 else 10,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "retry_policy": {"max_retries": 0},
}
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

# allauth: an e-mail address or a phone number (E.164, accounts.phones) is the log-in; full
# name and consent are asked at sign-up. "email*" keeps allauth's mandatory-verification
# check content: accounts.signup.SignupForm makes it optional when a phone is given, and a
# person without an e-mail proves their phone by an SMS code instead (accounts.stages).
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "accounts.signup.SignupForm", "login": "accounts.signup.LoginForm"}
ACCOUNT_LOGIN_BY_CODE_ENABLED = True  # "send me a code" instead of the password
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
# Codes sent by SMS (phone verification, log-in codes): six digits, typed on a phone's
# number pad; allauth allows 3 tries per code (then a new code must be sent).
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Mandatory verification is what lets sign-up hide whether an e-mail is registered (allauth
# then mails the owner "an account already exists" and answers like a new sign-up). With
# "optional" (the DEBUG default, for the demo) sign-up says "already used" (issue 13).
ACCOUNT_EMAIL_VERIFICATION = env_str(
    "ACCOUNT_EMAIL_VERIFICATION", "optional" if DEBUG else "mandatory"
)
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "campaigns.forms.SignupForm"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Every SMS (codes, "account exists" notices, set-password links) also counts against
# "sms": per number ("key") and per client address ("ip", cms.net.client_ip).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "verify_phone": "1/30s/key,3/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
    "sms": env_str("SMS_RATE_LIMITS", "5/h/key,20/h/ip"),
}
ACCOUNT_PRESERVE_USERNAME_CASING = False
# Mails name the site "HọcSố", not the request's host ("[127.0.0.1:8720] ..."): there is no
# django.contrib.sites, so allauth would fall back to the host (subject prefix here, the
# {{ current_site.name }} of its templates in accounts.adapters.AccountAdapter).
SITE_NAME = "HọcSố"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
# Two-step verification (allauth.mfa): an authenticator app (TOTP) and recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "HọcSố"
# A code of the step before or after the current one is accepted (RFC 6238, 5.2: one step of
# network delay or clock drift; a phone on a weak signal may take seconds to send it). Each
# code still works once (allauth remembers the used ones for the three steps).
MFA_TOTP_TOLERANCE = 1
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
# Who must use it (accounts.mfa): each path names a predicate user -> bool. The roles of
# higher floors are listed here, so accounts never imports them.
HOCSO_MFA_REQUIRED_ROLES = ["accounts.mfa.is_admin_user", "campaigns.selectors.is_manager"]
# Pages such a person opens only in a session that gave a code (accounts.middleware).
HOCSO_MFA_PROTECTED_PATHS = ["/admin/", "/quan-ly/"]
# One log-in path: Wagtail sends to allauth's log-in; its own password reset is off (its
# address hands over to allauth's, accounts/urls.py).
WAGTAILADMIN_LOGIN_URL = "account_login"
# Single sign-on (allauth's openid_connect provider), from the environment: the issuer URL
# (its /.well-known/openid-configuration is read), the client id and secret the provider
# issued, and the button's label. Accounts are linked only by an e-mail or phone the
# provider marks verified; a first log-in asks for the agency and consent (no auto sign-up).
OIDC_ISSUER = env_str("OIDC_ISSUER")
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
# SSO_REQUIRED_FOR_MANAGERS=1: managers log in only through the provider (not by password or
# code); the roles are predicates by dotted path, as HOCSO_MFA_REQUIRED_ROLES.
HOCSO_SSO_REQUIRED_ROLES = (
    ["campaigns.selectors.is_manager"] if env_bool("SSO_REQUIRED_FOR_MANAGERS", False) else []
)
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": env_str("OIDC_PROVIDER_ID", "cong-vu"),
                "name": env_str("OIDC_BUTTON_LABEL", "Tài khoản công vụ"),
                "client_id": env_str("OIDC_CLIENT_ID", required=True),
                "secret": env_str("OIDC_CLIENT_SECRET", ""),
                "settings": {"server_url": OIDC_ISSUER, "token_auth_method": "client_secret_post"},
            }
        ]
        if OIDC_ISSUER
        else [],
    }
}
# SMS (accounts.sms): console:// in the demo, locmem:// in tests, file:///folder, or a
# gateway's https:// URL template with {to} {text} {sender}; see README "SMS".
SMS_URL = env_url(
    "SMS_URL",
    "locmem://" if running_tests() else "console://",
    ("console", "locmem", "file", "http", "https"),
)
SMS_HTTP_METHOD = env_str("SMS_HTTP_METHOD", "POST")
SMS_HTTP_AUTH_HEADER = env_str("SMS_HTTP_AUTH_HEADER", "")
SMS_HTTP_BODY = env_str("SMS_HTTP_BODY", "")
SMS_SENDER = env_str("SMS_SENDER", "HocSo")
SMS_NUMBER_FORMAT = env_str("SMS_NUMBER_FORMAT", "e164")
WAGTAIL_PASSWORD_RESET_ENABLED = False
# The version of the privacy notice a sign-up consents to; bump it when the notice changes.
PRIVACY_NOTICE_VERSION = env_str("PRIVACY_NOTICE_VERSION", "2026-01")
# "My data" and anonymisation (accounts.privacy): each higher floor's privacy module, with
# `personal_data(user)` and `anonymise(user)` (a lower floor never imports them).
HOCSO_PRIVACY_MODULES = ["assessments.privacy", "courses.privacy", "campaigns.privacy"]
# Days an administrator has to handle a privacy request (the privacy notice's promise).
PRIVACY_REQUEST_DAYS = env_int("PRIVACY_REQUEST_DAYS", 15)
# Everyone signed in consents to the current notice before anything else (imported people
# never ticked the sign-up box; a new version asks everyone again): accounts/privacy_consent.
HOCSO_CONSENT_GATE = True
# Retention in days (campaigns/retention.py, daily; the privacy notice lists them).
RETENTION_DAYS = {
    "exports": env_int("RETENTION_EXPORT_DAYS", 30),
    "imports": env_int("RETENTION_IMPORT_DAYS", 90),
    "xapi_statements": env_int("RETENTION_XAPI_DAYS", 365),
    "packages": env_int("RETENTION_PACKAGE_DAYS", 90),
    "notices": env_int("RETENTION_NOTICE_DAYS", 365),
    "audit": env_int("RETENTION_AUDIT_DAYS", 730),
}

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# Ours first; locale_thirdparty holds Vietnamese for apps that ship none (allauth).
# Earlier entries win: ours, then the Wagtail admin's (its own file, kept in step by
# locale_thirdparty/tools/merge_wagtail.py; before allauth's so a shared msgid such as
# "Usage" reads right in the admin), then allauth's.
# The first path wins a message several catalogues share. Our apps' catalogues are listed
# here (in INSTALLED_APPS order) ahead of the Wagtail catalogue, or a LOCALE_PATHS entry
# would override them ("Show", "Next", "In progress" read as Wagtail's admin words).
LOCALE_PATHS = [
    BASE_DIR / "locale",
    BASE_DIR / "courses" / "locale",
    BASE_DIR / "courses" / "certificates" / "locale",
    BASE_DIR / "courses" / "offline" / "locale",
    BASE_DIR / "assessments" / "locale",
    BASE_DIR / "assessments" / "h5p" / "locale",
    BASE_DIR / "assessments" / "scorm" / "locale",
    BASE_DIR / "campaigns" / "locale",
    BASE_DIR / "locale_thirdparty" / "wagtail",
    BASE_DIR / "locale_thirdparty" / "h5p",
    BASE_DIR / "locale_thirdparty",
]
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

WAGTAIL_SITE_NAME = SITE_NAME
# Slugs are ASCII (no percent-encoded URLs); cms.forms folds Vietnamese (đ→d) for them.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# No Gravatar: the machines have no internet access, and a learner's e-mail hash should not
# leave the site. Wagtail then shows its own default avatar.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = APP_ORIGIN
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "txt", "csv"]
# Each document is checked by its content too (cms.uploads), not by its name only.
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.upload_forms.CheckedDocumentForm"

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

# Page cache (deploy/nginx keeps anonymous public pages): PAGE_CACHE_URL is where nginx
# listens on this machine (https://127.0.0.1:443); publishing refreshes a page, its ancestors
# and the home page through it (cms.frontend_cache). Unset (demo, tests): no page cache.
PAGE_CACHE_URL = env_url("PAGE_CACHE_URL", None, ("http", "https"))
if PAGE_CACHE_URL:
    INSTALLED_APPS.append("cms.apps.FrontendCacheConfig")
    WAGTAILFRONTENDCACHE = {
        "nginx": {
            "BACKEND": "cms.frontend_cache.NginxRefreshBackend",
            "LOCATION": PAGE_CACHE_URL,
            "CAFILE": env_str("PAGE_CACHE_CAFILE", ""),
        }
    }

# Security: strict by default in production; `manage.py check --deploy` runs in CI.
SESSION_COOKIE_HTTPONLY = True
# Sessions live in the database, never only in Redis: Redis down logs nobody out. Each is
# read from the cache first (cached_db: written to both, a miss reads the database), which
# saves every request its session query (issue 16); a cache error is a miss (cms/sessions.py).
SESSION_ENGINE = "cms.sessions"
CSRF_COOKIE_HTTPONLY = False  # the lesson page's JS reads it to post progress
X_FRAME_OPTIONS = "DENY"
# Reverse proxies in front of the app (nginx: 1). cms.net.client_ip takes the client's
# address from the N-th X-Forwarded-For entry from the right; 0 = REMOTE_ADDR. Every rate
# limit (allauth's, certificate verification, xAPI) keys on that one function.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ConfigError("TRUSTED_PROXY_COUNT", "must be 0 or more (the number of proxies).")

# Content-Security-Policy (django-csp, sent by cms.headers.SecurityHeadersMiddleware).
# Learner pages: scripts and styles only from static files of this origin (no inline code;
# data for scripts goes in json_script blocks), the H5P player framed from CONTENT_ORIGIN,
# images also as data: URIs (allauth's TOTP QR code). CSP_MEDIA_ORIGINS (comma-separated)
# adds an object store or CDN that serves uploaded images and video.
CSP_MEDIA_ORIGINS = env_list("CSP_MEDIA_ORIGINS", [])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": [CONTENT_ORIGIN],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
# The Wagtail admin (and only it): Wagtail 8's own templates still carry inline scripts
# (inline panels, date pickers) and inline styles, so these two are allowed here; its
# preview frames this origin.
CSP_ADMIN_PATH_PREFIXES = ["/admin/"]
# The admin dashboard would fetch https://releases.wagtail.org (refused by connect-src
# 'self', and the servers have no internet access): upgrades are a deploy decision.
WAGTAIL_ENABLE_UPDATE_CHECK = False
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "frame-src": ["'self'", CONTENT_ORIGIN],
    }
}
# Permissions-Policy: these features are off for every page; fullscreen is allowed to the
# page and the H5P player on CONTENT_ORIGIN (cms.headers.permissions_policy).
# (No "bluetooth": Chromium does not know that feature and logs an error on every page.)
PERMISSIONS_POLICY_DENY = [
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "usb", "serial", "hid",
]  # fmt: skip
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
DEMO_LOADERS = ["cms.demo", "accounts.demo", "assessments.demo", "assessments.h5p.demo",
                "assessments.scorm.demo",
                "courses.demo", "courses.certificates.demo", "campaigns.demo",
                "accounts.privacy_demo"]  # fmt: skip

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
# ClamAV (cms.antivirus): clamd's socket, a path or tcp://host:port; empty turns scanning off.
# While it is set and clamd is down, packages wait "pending" and documents are refused.
CLAMAV_SOCKET = env_str("CLAMAV_SOCKET", "")
CLAMAV_TIMEOUT = env_int("CLAMAV_TIMEOUT", 60)
H5P_TOKEN_SECONDS = env_int("H5P_TOKEN_SECONDS", 2 * 60 * 60)  # one lesson sitting
# H5P: the content-origin middleware answers CONTENT_ORIGIN requests before sessions/cookies.
MIDDLEWARE.insert(0, "assessments.h5p.middleware.ContentOriginMiddleware")

# --- SCORM (assessments.scorm) -------------------------------------------------------------
# Commits a SCO may send per minute: per learner, and per client address (cms.net.client_ip;
# a whole office behind one NAT shares it). Past either, a commit is refused with 429.
SCORM_COMMITS_PER_MINUTE = env_int("SCORM_COMMITS_PER_MINUTE", 60)
SCORM_COMMITS_PER_MINUTE_PER_ADDRESS = env_int("SCORM_COMMITS_PER_MINUTE_PER_ADDRESS", 1200)
# An H5P or SCORM upload still pending (scanner down) or processing (worker killed) this
# long is checked again by the packages_requeue sweep (every 15 minutes).
PACKAGES_REQUEUE_MINUTES = env_int("PACKAGES_REQUEUE_MINUTES", 30)

# --- Spreadsheet uploads (cms.spreadsheets) -------------------------------------------------
# An XLSX is a zip: its directory is checked before openpyxl opens it. Total unpacked size
# (the shared-strings part, which openpyxl holds in memory, at most a quarter of it) and
# the compression ratio of any part over 1 MB (real sheets pack about 5-20 times; a
# shared-strings bomb about 1000).
SPREADSHEET_MAX_UNCOMPRESSED_BYTES = env_int(
    "SPREADSHEET_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024
)
SPREADSHEET_MAX_COMPRESSION_RATIO = env_int("SPREADSHEET_MAX_COMPRESSION_RATIO", 100)
# Question-bank import (assessments.interchange: GIFT, Aiken, XLSX).
QUESTION_IMPORT_MAX_BYTES = env_int("QUESTION_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
QUESTION_IMPORT_MAX_ROWS = env_int("QUESTION_IMPORT_MAX_ROWS", 2000)

# --- Campaigns ------------------------------------------------------------------------
# Uploaded learner import files hold personal data: kept on disk outside MEDIA (never
# served), on a path the web process and the Celery workers share.
CAMPAIGNS_IMPORT_DIR = Path(env_str("CAMPAIGNS_IMPORT_DIR", str(BASE_DIR / "var" / "imports")))
# Rows applied per transaction (and checkpoint) by the background import.
CAMPAIGNS_IMPORT_BATCH = env_int("CAMPAIGNS_IMPORT_BATCH", 500)
# Learner import limits, checked on upload before any parser reads the file (cms.spreadsheets).
CAMPAIGNS_IMPORT_MAX_BYTES = env_int("CAMPAIGNS_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
CAMPAIGNS_IMPORT_MAX_ROWS = env_int("CAMPAIGNS_IMPORT_MAX_ROWS", 200_000)
# Files with more rows are checked and imported in the background even when tasks run
# in-process (cms.background); smaller ones answer at once in the demo.
CAMPAIGNS_IMPORT_INLINE_ROWS = env_int("CAMPAIGNS_IMPORT_INLINE_ROWS", 2000)
# A job checking or importing without progress for this long is failed by the sweep.
# Longer than CELERY_VISIBILITY_TIMEOUT (60 min): an import whose worker was killed comes
# back to a worker and resumes from its checkpoint before the sweep would call it failed.
CAMPAIGNS_IMPORT_STUCK_MINUTES = env_int("CAMPAIGNS_IMPORT_STUCK_MINUTES", 90)
# A QR attendance link is accepted this long before a session starts (minutes).
CAMPAIGNS_ATTENDANCE_EARLY_MINUTES = 30
# The place in the report PDFs' place-and-date line (Decree 30/2020: "Phú Thọ, ngày …").
CAMPAIGNS_REPORT_PLACE = env_str("CAMPAIGNS_REPORT_PLACE", "Phú Thọ")
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
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env_int("WAGTAILIMAGES_MAX_UPLOAD_SIZE", 15 * 1024 * 1024)
WAGTAILDOCS_MAX_UPLOAD_SIZE = env_int("WAGTAILDOCS_MAX_UPLOAD_SIZE", 20 * 1024 * 1024)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# Video originals: checked by size, signature and an ffmpeg decode before being stored.
HOCSO_VIDEO_MAX_UPLOAD_BYTES = env_int("HOCSO_VIDEO_MAX_UPLOAD_BYTES", 500 * 1024 * 1024)

# --- Object storage (optional; docs/deploy.md) -------------------------------------------
# With S3_BUCKET set, uploaded media (images, videos, renditions, documents), H5P packages
# and content, report exports and certificate PDFs go to an S3-compatible store through
# django-storages, shared by every machine; without it they stay on local disk (above).
S3_BUCKET = env_str("S3_BUCKET", "")
if S3_BUCKET:
    _s3 = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env_url("S3_ENDPOINT_URL", None, ("http", "https")),
        "access_key": env_str("S3_ACCESS_KEY") or None,
        "secret_key": env_str("S3_SECRET_KEY") or None,
        "region_name": env_str("S3_REGION", "us-east-1"),
        "addressing_style": "path",  # works with any S3-compatible server
        "signature_version": "s3v4",
        "file_overwrite": False,
        "default_acl": None,
        # Private objects; links are signed and short-lived unless media have a public host.
        "querystring_auth": True,
        "querystring_expire": 3600,
    }
    _media_domain = env_str("S3_MEDIA_DOMAIN", "")  # e.g. a CDN in front of the bucket
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3, "location": "media", **(
            {"custom_domain": _media_domain, "querystring_auth": False} if _media_domain else {}
        )},
    }  # fmt: skip
    for _kind in ("certificates", "h5p", "reports"):
        STORAGES[_kind] = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_s3, "location": _kind},
        }
