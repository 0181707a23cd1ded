"""Smoke test of the topology through nginx: TLS and redirects, the proxy headers Django
relies on, hashed static files with a year of cache, every stylesheet and script of the
public pages served, and the content origin answering without cookies."""

import os
import re

import pytest

from tests.production.conftest import fetch


@pytest.mark.parametrize(
    "path,heading",
    [("/", "HọcSố"), ("/khoa-hoc/", "Khóa học"), ("/tai-khoan/login/", "Đăng nhập"),
     ("/so-lieu/", "Dữ liệu mở")],
)  # fmt: skip
def test_public_pages_load_with_all_their_static_files(production, phone, path, heading):
    page, base = phone, production["app"]
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    response = page.goto(base + path)
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "vi"
    assert heading in page.content()
    assets = page.evaluate(
        "() => [...document.querySelectorAll('link[rel=stylesheet], script[src]')]"
        ".map(e => e.href || e.src)"
    )
    assert assets, "a page without its stylesheet"
    for url in assets:
        if url.startswith(base + "/static/"):
            # ManifestStaticFilesStorage names: name.<12 hex>.ext
            assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", url), url
    assert failed == []


def test_https_headers_and_the_http_redirect(production, phone):
    page, base = phone, production["app"]
    home = page.goto(base + "/")
    assert home.status == 200
    # Django saw https (X-Forwarded-Proto from nginx): it sends HSTS.
    assert "max-age=" in home.headers["strict-transport-security"]
    assert home.headers["x-content-type-options"] == "nosniff"
    css = re.search(r'href="(/static/[^"]+\.css)"', page.content()).group(1)
    static = page.goto(base + css)
    assert static.status == 200
    assert static.headers["cache-control"] == "public, max-age=31536000, immutable"
    # Plain HTTP is only a redirect to the same URL on HTTPS.
    http_base = os.environ.get("HOCSO_PRODUCTION_HTTP_URL", "")
    if http_base:
        landed = page.goto(http_base.rstrip("/") + "/so-lieu/")
        assert landed.request.redirected_from.response().status == 301
        assert page.url == base + "/so-lieu/"


def test_the_content_origin_sets_no_cookie_and_refuses_posts(production, phone):
    page = phone
    page.goto(production["app"] + "/tai-khoan/login/")
    assert page.context.cookies(production["app"]), "the app sets its cookies"
    # The app's cookies are never scoped to the content host.
    assert page.context.cookies(production["content"]) == []
    missing = fetch(production["content"] + "/c/1.1.x/player.html")
    assert missing.status == 404
    assert missing.getheader("Set-Cookie") is None
    assert fetch(production["content"] + "/c/1.1.x/player.html", "POST").status == 403
