"""Issue 13 finding 4: no Content-Security-Policy and no Permissions-Policy on the app origin.

The attack is a script smuggled into a learner page (stored HTML that slips past the
sanitiser, a template that prints something unescaped): the browser must refuse to run it.
That needs a policy without 'unsafe-inline' for scripts, and templates that need none.
"""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ("cms", "accounts", "assessments", "courses", "campaigns")
LEARNER_PAGES = ("/", "/tai-khoan/login/", "/tai-khoan/signup/", "/chung-chi/ZZZZZZZZZZ/")


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.parametrize("path", LEARNER_PAGES)
def test_learner_pages_send_a_policy_without_inline_script(client, home_page, settings, path):
    settings.DEBUG = False  # django-csp skips 404 pages only in DEBUG
    response = client.get(path)
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["frame-src"] == [settings.CONTENT_ORIGIN]  # the H5P player only
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_every_response_sends_a_permissions_policy(client, home_page, settings):
    header = client.get("/")["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in header.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"
    assert features["fullscreen"] == f'(self "{settings.CONTENT_ORIGIN}")'


# --- Templates: nothing a strict policy would refuse ---------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.S)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def our_templates():
    for app in APPS:
        yield from sorted((ROOT / app).rglob("templates/**/*.html"))


def served_on_the_app_origin(path: Path) -> bool:
    """The H5P and SCORM player pages are served on CONTENT_ORIGIN, under its own policy."""
    return path.parts[-2:] not in (("h5p", "player.html"), ("scorm", "player.html"))


def learner_facing(path: Path) -> bool:
    """Templates of the Wagtail admin get the admin's policy (inline styles allowed there)."""
    text = path.as_posix()
    return "/admin/" not in text and "/wagtailadmin/" not in text and "/wagtail" not in text


def test_no_template_carries_inline_script_or_event_handlers():
    found = []
    for path in our_templates():
        if not served_on_the_app_origin(path):
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JS_URL):
            found += [
                f"{path.relative_to(ROOT)}: {m.group(0)[:80]}" for m in pattern.finditer(text)
            ]
    assert found == []


def test_no_learner_template_carries_inline_style():
    found = []
    for path in our_templates():
        if served_on_the_app_origin(path) and learner_facing(path):
            text = path.read_text(encoding="utf-8")
            found += [
                f"{path.relative_to(ROOT)}: {m.group(0)[:80]}"
                for m in (*STYLE_ATTRIBUTE.finditer(text), *re.finditer(r"<style\b", text))
            ]
    assert found == []


def test_the_template_check_would_catch_an_inline_script():
    page = '<p>x</p><script>alert(1)</script><button onclick="go()">'
    assert INLINE_SCRIPT.search(page) and EVENT_HANDLER.search(page)
    assert not INLINE_SCRIPT.search('<script src="/static/a.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')


# --- In the browser: an injected inline script is refused and reported ----------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_injected_inline_script_is_refused_and_reported(live_server, home_page, browser):
    from tests.conftest import expect_csp_violations

    context = browser.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        page.evaluate(
            """() => { const s = document.createElement("script");
                       s.textContent = "window.__smuggled = true"; document.body.append(s); }"""
        )
        assert page.evaluate("window.__smuggled === undefined")  # it did not run
        # Reported (and taken out of the reports: the fixture would fail this test for it).
        assert expect_csp_violations(page, "script-src")
    finally:
        context.close()
