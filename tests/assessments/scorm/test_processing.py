"""SCORM packages uploaded in the admin: stored privately, checked in the background and
extracted, or refused with every reason, each fixture as its README says."""

import io

import pytest

from assessments.h5p import storage
from assessments.scorm import services
from assessments.scorm.models import ScormPackage
from tests.assessments.h5p.conftest import build_zip, minimal_package
from tests.assessments.scorm.conftest import scorm_zip
from tests.assessments.scorm.test_validation import FIXTURES, NOT_SCORM

ADD = "/admin/snippets/scorm/scormpackage/add/"


@pytest.fixture(autouse=True)
def private_storage(package_storage):
    return package_storage


@pytest.fixture
def admin_client(client, user_factory):
    user = user_factory(is_superuser=True, is_staff=True)
    client.force_login(user)
    client.user = user
    return client


def upload(admin_client, name: str, data: bytes, capture) -> ScormPackage:
    archive = io.BytesIO(data)
    archive.name = name
    with capture(execute=True):
        response = admin_client.post(ADD, {"title": "Khoá SCORM", "archive": archive})
    assert response.status_code == 302, response.content[:2000]
    return ScormPackage.objects.get()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_each_fixture_through_the_admin_upload(
    admin_client, fixtures_dir, django_capture_on_commit_callbacks, name
):
    verdict, text, sco_count = FIXTURES[name]
    data = (fixtures_dir / "scorm" / name).read_bytes()
    package = upload(admin_client, name, data, django_capture_on_commit_callbacks)
    assert package.uploaded_by == admin_client.user
    assert package.original_filename == name
    page = admin_client.get(f"/admin/snippets/scorm/scormpackage/edit/{package.pk}/")
    html = page.content.decode()
    if verdict == "ok":
        assert package.status == ScormPackage.Status.READY, package.error_messages
        assert (package.version, package.manifest_title) == ("scorm12", text)
        assert len(package.sco_items) == sco_count
        folder = storage.content_path(package.archive_sha256)
        assert (folder / "imsmanifest.xml").is_file()
        assert (folder / package.sco_items[0]["href"].split("?")[0]).is_file()
        # The version once (walker finding: "SCORM 1.2 (1.2)").
        assert f'data-testid="scorm-version">SCORM 1.2 — {text}</p>' in html
    else:
        assert package.status == ScormPackage.Status.FAILED
        assert package.error_messages[0].startswith(NOT_SCORM)
        assert not storage.content_path(package.archive_sha256).exists()
        assert "Gói bị từ chối vì các lý do sau" in html and NOT_SCORM in html


@pytest.mark.django_db
def test_a_scorm_2004_package_is_extracted_with_its_scos_in_order(
    admin_client, django_capture_on_commit_callbacks
):
    package = upload(admin_client, "khoa.zip", scorm_zip(), django_capture_on_commit_callbacks)
    assert package.status == ScormPackage.Status.READY
    assert (package.version, package.edition) == ("scorm2004", "2004 4th Edition")
    assert [s["identifier"] for s in package.sco_items] == ["item_sco1", "item_sco2"]
    html = admin_client.get(f"/admin/snippets/scorm/scormpackage/edit/{package.pk}/").text
    assert 'data-testid="scorm-version">SCORM 2004 4th Edition — ' in html


@pytest.mark.django_db
def test_an_h5p_file_uploaded_as_scorm_says_what_it_is(
    admin_client, django_capture_on_commit_callbacks
):
    data = build_zip(minimal_package())
    package = upload(admin_client, "quiz.h5p", data, django_capture_on_commit_callbacks)
    assert package.status == ScormPackage.Status.FAILED
    assert package.error_messages == [
        "Đây không phải là gói SCORM: không có tệp imsmanifest.xml ở thư mục gốc của gói.",
        "Đây là gói H5P: hãy thêm nó dưới dạng gói H5P.",
    ]


@pytest.mark.django_db
def test_processing_is_idempotent_and_a_new_file_is_checked_again(
    admin_client, fixtures_dir, django_capture_on_commit_callbacks
):
    bad = (fixtures_dir / "scorm" / "invalid.zip").read_bytes()
    package = upload(admin_client, "invalid.zip", bad, django_capture_on_commit_callbacks)
    assert services.package_process(package_id=package.pk).status == ScormPackage.Status.FAILED
    good = io.BytesIO((fixtures_dir / "scorm" / "singlescobasic.zip").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        services.package_replace_archive(package=package, fileobj=good)
    package.refresh_from_db()
    assert package.status == ScormPackage.Status.READY
    assert package.errors == {}


@pytest.mark.django_db
def test_a_new_package_needs_a_file(admin_client):
    response = admin_client.post(ADD, {"title": "Không có tệp"})
    assert response.status_code == 200
    assert not ScormPackage.objects.exists()


@pytest.mark.parametrize(
    ("version", "edition", "text"),
    [("scorm12", "1.2", "SCORM 1.2"), ("scorm2004", "2004", "SCORM 2004"),
     ("scorm2004", "2004 3rd Edition", "SCORM 2004 3rd Edition"),
     ("scorm2004", "CAM 1.3", "SCORM 2004 (CAM 1.3)"), ("scorm12", "", "SCORM 1.2")],
)  # fmt: skip
def test_the_panel_says_the_version_once(version, edition, text):
    from assessments.scorm.panels import version_text

    assert version_text(ScormPackage(version=version, edition=edition)) == text
