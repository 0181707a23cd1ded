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
