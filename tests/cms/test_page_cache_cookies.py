"""Public pages are the same for every visitor without a session: no cookie set, the session
never saved, no CSRF token in them. nginx keeps them in its page cache (deploy/nginx) and never
keeps a response that sets a cookie, so each cookie here would take the page out of it."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_pages(media_tree, add_infographic, add_video_page, add_news):
    course = factories.course(lessons=1)
    return [
        "/",
        factories.catalogue().url,
        course.url,
        media_tree["infographics"].url,
        add_infographic().url,
        media_tree["videos"].url,
        add_video_page().url,
        media_tree["news"].url,
        add_news().url,
        "/so-lieu/",
        "/so-lieu/thi-dua/",
    ]


def test_public_pages_set_no_cookie(bare_client, public_pages):
    for path in public_pages:
        response = bare_client.get(path)
        assert response.status_code == 200, path
        assert response.cookies == {}, (path, response.cookies)
        assert "Set-Cookie" not in response.headers, path
        assert b"csrfmiddlewaretoken" not in response.content, path
        # The footer's language switch is there, without a token.
        assert b'class="language-form"' in response.content, path


def test_the_language_switch_works_without_a_csrf_token(bare_client, home_page):
    bare_client.handler.enforce_csrf_checks = True
    response = bare_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in bare_client.get("/").content.decode()


def test_a_logged_in_page_keeps_its_token(client, user_factory, home_page):
    client.force_login(user_factory())
    response = client.get("/")
    assert b"csrfmiddlewaretoken" in response.content


@pytest.fixture
def refresh_server():
    """A stand-in for nginx that records each refresh request (path, Host, language, header)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            seen.append((self.path, self.headers["Host"], self.headers["Accept-Language"],
                         self.headers["X-Hocso-Refresh"]))  # fmt: skip
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


def test_a_published_page_is_refreshed_with_its_ancestors_in_each_language(
    refresh_server, add_news, django_capture_on_commit_callbacks
):
    from wagtail.contrib.frontend_cache.utils import purge_page_from_cache

    location, seen = refresh_server
    news = add_news(slug="tin-moi")
    backend = {"nginx": {"BACKEND": "cms.frontend_cache.NginxRefreshBackend",
                         "LOCATION": location, "HOST": "hocso.test:8443"}}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        purge_page_from_cache(news, backend_settings=backend)
    assert seen == [], "nothing is fetched before the publish commits"
    for callback in callbacks:
        callback()
    assert sorted(seen) == sorted(
        (path, "hocso.test:8443", language, "1")
        for path in ("/tin-tuc/tin-moi/", "/tin-tuc/", "/")
        for language in ("vi", "en")
    )


def test_with_a_broker_the_refresh_is_a_task_kept_in_the_outbox_not_fetched_in_the_request(
    refresh_server, add_news, django_capture_on_commit_callbacks
):
    """In production the editor's publish does not wait for the pages to render: the refresh
    is the cms.page_cache_refresh task, written in the publish's transaction (a broker that
    is down loses it not: the sweep sends it) and run by the worker."""
    from celery import current_app
    from wagtail.contrib.frontend_cache.utils import purge_page_from_cache

    from cms.frontend_cache import page_cache_refresh
    from cms.models import OutboxMessage

    location, seen = refresh_server
    news = add_news(slug="tin-hang-doi")
    backend = {"nginx": {"BACKEND": "cms.frontend_cache.NginxRefreshBackend",
                         "LOCATION": location, "HOST": "hocso.test:8443"}}  # fmt: skip
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    try:
        with django_capture_on_commit_callbacks(execute=False):
            purge_page_from_cache(news, backend_settings=backend)
    finally:
        current_app.conf.task_always_eager = eager
    message = OutboxMessage.objects.get(task_name="cms.page_cache_refresh")
    assert seen == [], "the request fetched nothing itself"
    assert message.args == [
        {"LOCATION": location, "HOST": "hocso.test:8443"},
        ["/tin-tuc/tin-hang-doi/", "/tin-tuc/", "/"],
    ]
    # What the worker runs, twice (the outbox delivers at least once): each page again.
    assert page_cache_refresh(*message.args) == 6
    assert page_cache_refresh(*message.args) == 6
    assert sorted(seen) == sorted(
        2 * [(path, "hocso.test:8443", language, "1")
             for path in ("/tin-tuc/tin-hang-doi/", "/tin-tuc/", "/")
             for language in ("vi", "en")]
    )  # fmt: skip
