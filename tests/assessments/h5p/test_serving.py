"""The content origin serves a package only through a valid token in the path, with strict
headers and no cookies; the app origin never serves content; storage is not under MEDIA."""

import json
import time

import pytest
from django.test import Client

from assessments.h5p import storage
from assessments.h5p.tokens import make_token, read_token

CONTENT_HOST = "localhost:8000"
APP_HOST = "127.0.0.1:8000"

VALID = ["H5P.TrueFalse", "H5P.MultiChoice", "H5P.Blanks", "H5P.QuestionSet",
         "H5P.InteractiveVideo", "H5P.CoursePresentation"]  # fmt: skip


@pytest.fixture(autouse=True)
def origins(settings):
    settings.APP_ORIGIN = f"http://{APP_HOST}"
    settings.CONTENT_ORIGIN = f"http://{CONTENT_HOST}"


@pytest.fixture
def content_client():
    return Client(HTTP_HOST=CONTENT_HOST)


def _assert_hardened(response, content_type):
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' http://127.0.0.1:8000" in csp
    assert "object-src 'none'" in csp and "default-src 'self'" in csp
    assert not response.cookies
    assert "Set-Cookie" not in response


@pytest.mark.django_db
@pytest.mark.parametrize("name", VALID)
def test_each_valid_fixture_h5p_json_is_served_through_the_token_url(
    playable_package, content_client, name
):
    package = playable_package(name)
    token = make_token(package.pk)
    response = content_client.get(f"/c/{token}/content/h5p.json")
    assert response.status_code == 200
    _assert_hardened(response, "application/json")
    assert json.loads(b"".join(response.streaming_content))["mainLibrary"] == name
    main = package.main_library.split()[0] + "-" + package.main_library.split()[1]
    lib = content_client.get(f"/c/{token}/libraries/{main}/library.json")
    assert lib.status_code == 200
    assert content_client.get(f"/c/{token}/content/content/content.json").status_code == 200


@pytest.mark.django_db
def test_player_page_and_vendored_player(playable_package, content_client):
    package = playable_package()
    token = make_token(package.pk)
    page = content_client.get(f"/c/{token}/player.html")
    assert page.status_code == 200
    _assert_hardened(page, "text/html; charset=utf-8")
    html = page.content.decode()
    assert f"/c/{token}/player/main.bundle.js" in html
    assert 'data-app-origin="http://127.0.0.1:8000"' in html
    assert "<script>" not in html  # no inline script: the CSP allows none
    js = content_client.get(f"/c/{token}/player/main.bundle.js")
    _assert_hardened(js, "text/javascript; charset=utf-8")
    css = content_client.get(f"/c/{token}/player/styles/h5p.css")
    _assert_hardened(css, "text/css; charset=utf-8")
    assert content_client.get(f"/c/{token}/player/hocso-player.js").status_code == 200


@pytest.mark.django_db
def test_nothing_without_a_valid_token(playable_package, content_client):
    package = playable_package()
    good = make_token(package.pk)
    expired = make_token(package.pk, now=time.time() - 10_000, lifetime=60)
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    other = make_token(package.pk + 1)
    for token in (expired, forged, other, "1.9999999999.x", "nonsense"):
        response = content_client.get(f"/c/{token}/content/h5p.json")
        assert response.status_code == 404, token
        assert not response.cookies
    assert read_token(good) == package.pk
    assert read_token(expired) is None
    # Query-string tokens are not a thing; nor are other paths on the content host.
    assert content_client.get(f"/c/content/h5p.json?token={good}").status_code == 404
    for path in ("/", "/admin/", "/tai-khoan/login/", "/healthz", "/static/h5p/hocso-player.js"):
        assert content_client.get(path).status_code == 404, path
    assert content_client.post(f"/c/{good}/content/h5p.json").status_code == 404


@pytest.mark.django_db
def test_traversal_and_unlisted_libraries_are_refused(
    playable_package, content_client, make_package
):
    package = playable_package()
    token = make_token(package.pk)
    for path in (
        "content/../h5p.json",
        "content/content/../../../uploads",
        "content/%2e%2e/h5p.json",
        "libraries/H5P.TrueFalse-1.6/../H5P.Question-1.4/library.json",
        "libraries/H5PEditor.ShowWhen-1.0/library.json",  # in the zip, but editor-only
        "libraries/H5P.MultiChoice-1.14/library.json",  # not a dependency of this package
        "player/../../../cms/settings.py",
    ):
        assert content_client.get(f"/c/{token}/{path}").status_code == 404, path


@pytest.mark.django_db
def test_unapproved_library_is_not_served(make_package, content_client, fixtures_dir):
    package = make_package(fixtures_dir / "h5p" / "valid" / "H5P.TrueFalse.h5p")
    token = make_token(package.pk)
    assert content_client.get(f"/c/{token}/content/h5p.json").status_code == 200
    response = content_client.get(f"/c/{token}/libraries/H5P.TrueFalse-1.6/library.json")
    assert response.status_code == 404


@pytest.mark.django_db
def test_app_host_never_serves_content_and_storage_has_no_url(playable_package, client, settings):
    package = playable_package()
    token = make_token(package.pk)
    app = Client(HTTP_HOST=APP_HOST)
    assert app.get(f"/c/{token}/content/h5p.json").status_code == 404
    root = storage.root()
    assert settings.MEDIA_ROOT not in root.parents
    upload = storage.upload_path(package.archive_sha256).relative_to(root)
    for path in (
        f"/media/{upload}",
        f"/media/h5p/{upload}",
        f"/media/content/{package.archive_sha256}/h5p.json",
    ):
        assert app.get(path).status_code == 404


@pytest.mark.django_db
def test_other_file_types_are_attachments(make_package, content_client, admin_user):
    from assessments.h5p.services import package_approve_libraries
    from tests.assessments.h5p.conftest import build_zip, minimal_package

    extra = {"content/notes.txt": "ghi chú", "content/files/a.pdf": "%PDF-1.4"}
    package = make_package(build_zip(minimal_package(extra)))
    package_approve_libraries(package=package, approved_by=admin_user)
    token = make_token(package.pk)
    txt = content_client.get(f"/c/{token}/content/content/notes.txt")
    assert txt["Content-Disposition"] == "attachment"
    _assert_hardened(txt, "text/plain; charset=utf-8")
    js = content_client.get(f"/c/{token}/libraries/Test.Quiz-1.0/quiz.js")
    assert "Content-Disposition" not in js
    _assert_hardened(js, "text/javascript; charset=utf-8")
