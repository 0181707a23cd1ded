"""A SCORM package's files are served from the content origin by token only: with an
explicit type, nosniff and a policy that only the app may frame; nothing without a valid
SCORM token (an H5P token opens nothing), nothing outside the package, nothing on the app
host, and nothing of a package that is not READY."""

import pytest
from django.test import Client

from assessments.h5p.tokens import SCORM_SALT, make_token
from assessments.scorm.models import ScormPackage
from assessments.scorm.serving import content_url
from tests.assessments.scorm.conftest import PAGE, scorm_zip

CONTENT_HOST = "content.hocso.test"


@pytest.fixture(autouse=True)
def origins(settings):
    settings.APP_ORIGIN = "http://127.0.0.1:8000"
    settings.CONTENT_ORIGIN = f"http://{CONTENT_HOST}"


@pytest.fixture
def content_client():
    return Client(HTTP_HOST=CONTENT_HOST)


@pytest.fixture
def package(ready_package):
    files = {
        "sco1/data.xml": "<d/>",
        "sco1/a.swf": b"FWS\x0a" + b"\0" * 64,
        "sco1/Bài học (1).html": "<p>Bài 1</p>",
    }
    return ready_package(scorm_zip(files))


def url(package, rel, **kwargs):
    token = make_token(package.pk, salt=SCORM_SALT, **kwargs)
    return f"/s/{token}/content/{rel}"


def test_a_sco_page_is_served_with_its_type_and_policy(package, content_client):
    assert content_url(package, "sco1/index.html").startswith(f"http://{CONTENT_HOST}/s/")
    response = content_client.get(url(package, "sco1/index.html"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == PAGE
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' http://127.0.0.1:8000" in csp
    assert "object-src 'none'" in csp and "form-action 'none'" in csp
    assert not response.cookies
    manifest = content_client.get(url(package, "imsmanifest.xml"))
    assert manifest["Content-Type"] == "application/xml; charset=utf-8"


def test_file_names_as_authors_write_them(package, content_client):
    response = content_client.get(url(package, "sco1/Bài học (1).html"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == "<p>Bài 1</p>"


def test_nothing_without_a_valid_scorm_token(package, content_client):
    h5p_token = make_token(package.pk)  # H5P's kind of token for the same id
    assert content_client.get(f"/s/{h5p_token}/content/sco1/index.html").status_code == 404
    expired = url(package, "sco1/index.html", now=0, lifetime=1)
    assert content_client.get(expired).status_code == 404
    forged = url(package, "sco1/index.html").replace(f"/s/{package.pk}.", "/s/999.")
    assert content_client.get(forged).status_code == 404
    assert content_client.post(url(package, "sco1/index.html")).status_code == 404
    # The app host does not serve package files at all.
    assert Client().get(url(package, "sco1/index.html")).status_code == 404


@pytest.mark.parametrize(
    "rel", ["../../../etc/passwd", "sco1/../../x", ".hidden", "sco1/a.swf", "missing.html"]
)
def test_nothing_outside_the_package_or_never_served(package, content_client, rel):
    assert content_client.get(url(package, rel)).status_code == 404


def test_a_package_that_is_not_ready_is_not_served(package, content_client):
    ScormPackage.objects.filter(pk=package.pk).update(status=ScormPackage.Status.PENDING)
    assert content_client.get(url(package, "sco1/index.html")).status_code == 404
