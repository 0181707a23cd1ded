"""The page cache through nginx (deploy/nginx/hocso.conf.template, cms/frontend_cache.py):
anonymous public pages are kept (MISS, then HIT) per language; a logged-in person is never
served from it and never fills it; publishing in Wagtail refreshes the page, its index and
the home page at once; the refresh header counts only from the machine itself."""

import http.client
import os
import re
import secrets
import ssl
import subprocess
import sys
import time
from html import unescape
from urllib.parse import urlencode, urlsplit

import pytest

from tests.conftest import ROOT, require
from tests.production.conftest import ADDRESS, DEMO_PASSWORD, RUN_DIR, run_local


class Client:
    """HTTPS to the topology's address with the app's Host header and a cookie jar."""

    def __init__(self, base: str, *, source: str | None = None):
        self.base = base
        parts = urlsplit(base)
        self.host, self.port = parts.netloc, parts.port or 443
        self.source = source
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, headers=None, form=None):
        context = ssl.create_default_context(cafile=str(RUN_DIR / "tls" / "cert.pem"))
        context.check_hostname = False  # connected by address; the chain is still verified
        conn = http.client.HTTPSConnection(
            ADDRESS, self.port, context=context, timeout=30,
            source_address=(self.source, 0) if self.source else None,
        )  # fmt: skip
        sent = {"Host": self.host, "Accept-Language": "vi", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent.update({"Content-Type": "application/x-www-form-urlencoded",
                         "Referer": self.base + path, "Origin": self.base})  # fmt: skip
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        response.text = response.read().decode()
        conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";")[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)


def cache_status(response) -> str:
    return response.getheader("X-Cache-Status", "")


def probe(path: str) -> str:
    """The path with a query of its own: a cache entry no other test touched."""
    return f"{path}?probe={secrets.token_hex(6)}"


def title_of(response) -> str:
    return unescape(re.search(r"<h1[^>]*>(.*?)</h1>", response.text, re.S).group(1)).strip()


def log_in(client: Client, login: str) -> None:
    page = client.get("/tai-khoan/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = client.request("POST", "/tai-khoan/login/",
                          form={"csrfmiddlewaretoken": token, "login": login,
                                "password": DEMO_PASSWORD})  # fmt: skip
    assert done.status == 302, (done.status, done.text[:500])
    assert "sessionid" in client.cookies


def publish_title(url_path_end: str, title: str) -> str:
    """Publish a new revision of the live page whose URL ends with url_path_end, through the
    app's own settings (the topology's env file), as an editor's publish does."""
    env = dict(os.environ)
    for line in run_local("env").splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value.strip("'")
    code = (
        "from wagtail.models import Page\n"
        f"page = Page.objects.live().get(url_path__endswith={url_path_end!r}).specific\n"
        f"page.title = {title!r}\n"
        "page.save_revision().publish()\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture
def app(production):
    require((RUN_DIR / "tls" / "cert.pem").exists(), f"no topology certificate in {RUN_DIR}")
    return Client(production["app"])


def test_an_anonymous_page_is_kept_and_served_from_the_cache(app):
    for page in ("/", "/khoa-hoc/", "/tin-tuc/", "/infographic/", "/video/", "/so-lieu/"):
        path = probe(page)
        first, second = app.get(path), app.get(path)
        assert first.status == second.status == 200, page
        assert (cache_status(first), cache_status(second)) == ("MISS", "HIT"), page
        assert second.getheader("Set-Cookie") is None, page
        assert title_of(first) == title_of(second), page
    assert app.cookies == {}, "public pages set no cookie"


def test_each_language_has_its_own_copy(app):
    path = probe("/khoa-hoc/")
    vi = [app.get(path, headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.8"}) for _ in "ab"]
    en = [app.get(path, headers={"Accept-Language": "en-US,en;q=0.9"}) for _ in "ab"]
    assert [cache_status(r) for r in vi + en] == ["MISS", "HIT", "MISS", "HIT"]
    assert all('<html lang="vi">' in r.text for r in vi)
    assert all('<html lang="en">' in r.text for r in en)
    # The language switch's cookie wins over the header, as in Django.
    chosen = app.get(path, headers={"Accept-Language": "vi", "Cookie": "django_language=en"})
    assert cache_status(chosen) == "HIT" and '<html lang="en">' in chosen.text


def test_a_logged_in_learner_is_never_served_from_the_cache_nor_fills_it(production, app):
    path = probe("/khoa-hoc/")
    warmed = [app.get(path) for _ in "ab"]
    assert cache_status(warmed[1]) == "HIT"
    learner = Client(production["app"])
    log_in(learner, "learner@hocso.local")
    for _ in "ab":
        mine = learner.get(path)
        assert mine.status == 200
        assert cache_status(mine) == "BYPASS"
        assert 'data-testid="user-name"' in mine.text, "the logged-in navigation"
        assert "/tai-khoan/login/" not in mine.text.split("</header>")[0]
    # What the learner saw was not kept for anyone else.
    fresh = probe("/tin-tuc/")
    assert cache_status(learner.get(fresh)) == "BYPASS"
    anonymous = app.get(fresh)
    assert cache_status(anonymous) == "MISS"
    assert 'data-testid="user-name"' not in anonymous.text
    # Nor is any page under the account and learner paths (the admin has no cache at all).
    for private in ("/tai-khoan/ho-so/", "/hoc/cua-toi/"):
        assert cache_status(learner.get(private)) == "BYPASS", private
        assert cache_status(app.get(private)) == "BYPASS", private
    assert cache_status(learner.get("/admin/")) == ""


def test_publishing_refreshes_the_page_its_index_and_the_home_page(app):
    home = app.get("/")
    news = re.search(r'href="(/tin-tuc/[a-z0-9-]+/)"', home.text).group(1)
    old = title_of(app.get(news))
    for path in (news, "/tin-tuc/", "/"):
        app.get(path)
        assert cache_status(app.get(path)) == "HIT", path
    new = f"{old.split(' · ')[0]} · {secrets.token_hex(3)}"
    log = publish_title(news.rstrip("/").rsplit("/", 1)[1] + "/", new)
    try:
        # The topology's worker refreshes them (the cms.page_cache_refresh task, sent
        # through the outbox after the publish commits): seconds, not the cache's 5 minutes.
        deadline = time.monotonic() + 60
        for path in (news, "/tin-tuc/", "/"):
            seen = app.get(path)
            while new not in unescape(seen.text) and time.monotonic() < deadline:
                time.sleep(0.5)
                seen = app.get(path)
            assert cache_status(seen) == "HIT", (path, log)  # refreshed, not expired
            assert new in unescape(seen.text), (path, log)
        english = app.get(news, headers={"Accept-Language": "en"})
        assert new in unescape(english.text), log
    finally:
        publish_title(news.rstrip("/").rsplit("/", 1)[1] + "/", old)


def test_the_refresh_header_counts_only_from_the_machine_itself(production, app):
    path = probe("/video/")
    app.get(path)
    assert cache_status(app.get(path)) == "HIT"
    # From another address (127.0.0.2 is on the loopback but is not the app's 127.0.0.1),
    # the header is ignored: still the cached copy.
    outsider = Client(production["app"], source="127.0.0.2")
    forced = outsider.get(path, headers={"X-Hocso-Refresh": "1"})
    assert forced.status == 200 and cache_status(forced) == "HIT"
    # From the machine itself it fetches past the cache.
    assert cache_status(app.get(path, headers={"X-Hocso-Refresh": "1"})) == "BYPASS"
    assert cache_status(app.get(path)) == "HIT"
