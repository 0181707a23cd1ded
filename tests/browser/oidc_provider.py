"""A real OpenID Connect provider for the single sign-on tests (issue 20): a small Django
site with django-oauth-toolkit in OIDC mode, run in its own process by the `oidc_provider`
fixture (tests/browser/test_oidc_login.py), as a province's identity server would be.

    python tests/browser/oidc_provider.py CONFIG.json

CONFIG gives the port, a folder for its SQLite database, the client (id, secret, redirect
URIs) and the people it knows: username, password and the claims it vouches for. A person
may carry "token" overrides, so a test can meet a provider that issues a token for another
audience ("aud") or one already expired ("exp_offset" seconds from now).
"""

import json
import sys
import time
from pathlib import Path


def configure(config: dict) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.conf import settings

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    settings.configure(
        DEBUG=False,
        SECRET_KEY="oidc-test-provider-only",  # noqa: S106 -- a throwaway test server
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(Path(config["folder"]) / "provider.sqlite3"),
            }
        },
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [
                        (
                            "django.template.loaders.locmem.Loader",
                            {"registration/login.html": LOGIN_PAGE},
                        )
                    ],
                    "context_processors": ["django.template.context_processors.csrf"],
                },
            }
        ],
        LOGIN_URL="/login/",
        # Apart from HọcSố's cookies on the same host (cookies ignore the port).
        SESSION_COOKIE_NAME="provider_session",
        CSRF_COOKIE_NAME="provider_csrf",
        USE_TZ=True,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": pem,
            "PKCE_REQUIRED": True,
            "SCOPES": {
                "openid": "OpenID Connect",
                "profile": "Name",
                "email": "E-mail",
                "phone": "Phone",
            },
            "OAUTH2_VALIDATOR_CLASS": f"{__name__}.Validator",
        },
    )


LOGIN_PAGE = """<!doctype html><html lang="vi"><title>Cổng định danh tỉnh</title>
<h1>Cổng định danh của tỉnh</h1>
<form method="post">{% csrf_token %}
<label>Tên đăng nhập <input name="username" id="username"></label>
<label>Mật khẩu <input name="password" id="password" type="password"></label>
<button type="submit">Đăng nhập cổng tỉnh</button></form></html>"""

PEOPLE: dict = {}


def _validator():
    from oauth2_provider.oauth2_validators import OAuth2Validator

    class Validator(OAuth2Validator):
        oidc_claim_scope = None  # every claim the person has, whatever the scopes

        def get_additional_claims(self, request):
            return dict(PEOPLE[request.user.username]["claims"])

        def get_id_token_dictionary(self, token, token_handler, request):
            claims, expires = super().get_id_token_dictionary(token, token_handler, request)
            override = PEOPLE[request.user.username].get("token", {})
            if "exp_offset" in override:
                claims["exp"] = int(time.time()) + override["exp_offset"]
                claims["iat"] = claims["exp"] - 60
            if "aud" in override:
                claims["aud"] = override["aud"]
            return claims, expires

    return Validator


def __getattr__(name):  # the validator class is made once Django is configured
    if name == "Validator":
        return _validator()
    raise AttributeError(name)


def urls():
    from django.contrib.auth import views as auth_views
    from django.urls import include, path

    return [
        path("login/", auth_views.LoginView.as_view()),
        path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    ]


def main(config_path: str) -> None:
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    configure(config)
    import django

    django.setup()
    global urlpatterns
    urlpatterns = urls()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User
    from oauth2_provider.models import Application

    for username, person in config["people"].items():
        PEOPLE[username] = person
        User.objects.create_user(username=username, password=person["password"])
    client = config["client"]
    Application.objects.create(
        name="HọcSố",
        client_id=client["id"],
        client_secret=client["secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(client["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    class Threaded(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    server = make_server(
        "127.0.0.1", config["port"], get_wsgi_application(), Threaded, handler_class=Quiet
    )
    print("ready", flush=True)
    server.serve_forever()


urlpatterns: list = []

if __name__ == "__main__":
    main(sys.argv[1])
