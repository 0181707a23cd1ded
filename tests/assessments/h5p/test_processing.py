"""Upload -> Celery task (queue media) -> validation -> streamed extraction -> library pool."""

import io
import json
import zipfile

import pytest

from assessments.h5p import services, storage
from assessments.h5p.models import H5PLibrary, H5PPackage
from assessments.h5p.services import H5PRefused
from tests.assessments.h5p.conftest import build_zip, minimal_package

VALID = ["H5P.TrueFalse", "H5P.MultiChoice", "H5P.Blanks", "H5P.QuestionSet",
         "H5P.InteractiveVideo", "H5P.CoursePresentation"]  # fmt: skip


def _tree(path):
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*")) if path.exists() else []


@pytest.mark.django_db
@pytest.mark.parametrize("name", VALID)
def test_valid_fixture_is_extracted_into_content_addressed_storage(
    make_package, fixtures_dir, name
):
    package = make_package(fixtures_dir / "h5p" / "valid" / f"{name}.h5p", title=name)
    assert package.status == H5PPackage.Status.READY, package.error_messages
    assert package.main_library.startswith(name)
    content = storage.content_path(package.archive_sha256)
    assert json.loads((content / "h5p.json").read_text())["mainLibrary"] == name
    assert (content / "content" / "content.json").is_file()
    # Library code is stored (pending approval), never inside the package's content folder.
    assert not any(p.startswith("H5P.") for p in _tree(content))
    pending = H5PLibrary.objects.filter(status=H5PLibrary.Status.PENDING)
    assert {lib.machine_name for lib in pending} >= {name}
    for lib in pending:
        assert (storage.library_path(lib.files_sha256) / "library.json").is_file()
        assert lib.file_hashes["version"] == 1
    # Editor-only libraries are never registered: they are not played.
    assert not H5PLibrary.objects.filter(machine_name__startswith="H5PEditor.").exists()
    # Nothing is left in the work folder.
    assert _tree(storage.tmp_dir()) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["corrupt_archive", "broken-h5p-json", "invalid-h5p-json-schema",
     "invalid-library-directory-name", "missing-preloaded-js"],
)  # fmt: skip
def test_invalid_fixture_fails_with_reasons_and_extracts_nothing(make_package, fixtures_dir, name):
    package = make_package(fixtures_dir / "h5p" / "invalid" / f"{name}.h5p")
    assert package.status == H5PPackage.Status.FAILED
    assert package.error_messages and all(m for m in package.error_messages)
    assert _tree(storage.root() / "content") == []
    assert _tree(storage.root() / "libraries") == []
    assert not H5PLibrary.objects.exists()


@pytest.mark.django_db
def test_archive_lying_about_sizes_leaves_nothing_half_extracted(make_package):
    data = bytearray(build_zip(minimal_package({"content/a.json": "{}" + " " * 5000}),
                               compression=zipfile.ZIP_STORED))  # fmt: skip
    # Corrupt the stored bytes of a member after the central directory was written: the CRC
    # check fails while streaming, after other members were already written to tmp/.
    idx = bytes(data).find(b"{}" + b" " * 100)
    data[idx + 50] = ord("x")
    package = make_package(bytes(data))
    assert package.status == H5PPackage.Status.FAILED
    assert "bị hỏng" in package.error_messages[0]
    assert _tree(storage.root() / "content") == []
    assert _tree(storage.tmp_dir()) == []


@pytest.mark.django_db
def test_upload_is_private_and_processing_goes_to_the_media_queue(
    user_factory, django_capture_on_commit_callbacks, monkeypatch, settings
):
    from assessments.h5p import tasks

    sent = []
    monkeypatch.setattr(tasks.process_package, "apply_async", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        package = services.package_create(
            title="Gói", fileobj=io.BytesIO(build_zip(minimal_package()))
        )
    assert sent == [{"args": [package.pk], "queue": "media"}]
    path = storage.upload_path(package.archive_sha256)
    assert path.is_file()
    assert settings.MEDIA_ROOT not in path.parents
    # The task is idempotent: a READY package is left as it is.
    services.package_process(package_id=package.pk)
    first = H5PPackage.objects.get(pk=package.pk)
    assert first.status == "ready"
    services.package_process(package_id=package.pk)
    assert H5PPackage.objects.get(pk=package.pk).processed_at == first.processed_at


@pytest.mark.django_db
def test_libraries_play_only_after_an_administrator_approves(
    make_package, admin_user, user_factory
):
    package = make_package(build_zip(minimal_package()))
    assert package.status == "ready"
    assert services.package_missing_libraries(package) == ["Test.Quiz 1.0"]
    assert not services.package_is_playable(package)
    with pytest.raises(H5PRefused):
        services.launch_start(user=user_factory(), package=package, context_key="x")
    editor = user_factory(is_staff=True)
    with pytest.raises(H5PRefused) as refused:
        services.package_approve_libraries(package=package, approved_by=editor)
    assert refused.value.status == 403
    approved = services.package_approve_libraries(package=package, approved_by=admin_user)
    assert [lib.version for lib in approved] == ["1.0.0"]
    assert services.package_is_playable(package)


def _with_patch(patch: int, js: str = "var a;") -> bytes:
    entries = minimal_package()
    lib = json.loads(entries["Test.Quiz-1.0/library.json"])
    lib["patchVersion"] = patch
    entries["Test.Quiz-1.0/library.json"] = json.dumps(lib)
    entries["Test.Quiz-1.0/quiz.js"] = js
    return build_zip(entries)


@pytest.mark.django_db
def test_same_major_minor_is_replaced_only_by_a_higher_patch(make_package, admin_user):
    p2 = make_package(_with_patch(2, "var v2;"))
    services.package_approve_libraries(package=p2, approved_by=admin_user)
    # A lower patch arriving later is ignored: the package plays with the approved 1.0.2.
    p1 = make_package(_with_patch(1, "var v1;"))
    assert p1.status == "ready"
    assert not H5PLibrary.objects.filter(patch_version=1).exists()
    assert services.package_is_playable(p1)
    # A higher patch is stored pending; approving it supersedes 1.0.2.
    p3 = make_package(_with_patch(3, "var v3;"))
    v3 = H5PLibrary.objects.get(patch_version=3)
    assert v3.status == "pending"
    services.library_approve(library=v3, approved_by=admin_user)
    statuses = dict(H5PLibrary.objects.values_list("patch_version", "status"))
    assert statuses == {2: "superseded", 3: "approved"}
    # Approving the old one again is refused: only a higher patch replaces.
    with pytest.raises(H5PRefused):
        services.library_approve(
            library=H5PLibrary.objects.get(patch_version=2), approved_by=admin_user
        )
    assert services.package_is_playable(p3)


@pytest.mark.django_db
def test_package_using_only_pool_libraries_needs_no_library_files(make_package, admin_user):
    base = make_package(build_zip(minimal_package()))
    services.package_approve_libraries(package=base, approved_by=admin_user)
    entries = {k: v for k, v in minimal_package().items() if not k.startswith("Test.Quiz")}
    content_only = make_package(build_zip(entries))
    assert content_only.status == "ready", content_only.error_messages
    assert services.package_is_playable(content_only)


@pytest.mark.django_db
def test_admin_upload_shows_status_and_vietnamese_reasons(
    client, admin_user, fixtures_dir, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    url = "/admin/snippets/h5p/h5ppackage/add/"
    with (
        open(fixtures_dir / "h5p" / "invalid" / "missing-preloaded-js.h5p", "rb") as fh,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url, {"title": "Thiệp chúc mừng", "archive": fh})
    assert response.status_code == 302, response.content[:2000]
    package = H5PPackage.objects.get()
    assert package.uploaded_by == admin_user
    assert package.status == "failed"
    page = client.get(f"/admin/snippets/h5p/h5ppackage/edit/{package.pk}/").content.decode()
    assert "Bị từ chối" in page
    assert "Gói bị từ chối vì các lý do sau" in page
    assert "greetingcard.js" in page and "không có trong gói" in page


@pytest.mark.django_db
def test_admin_upload_then_approval_page(
    client, admin_user, fixtures_dir, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with (
        open(fixtures_dir / "h5p" / "valid" / "H5P.TrueFalse.h5p", "rb") as fh,
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post("/admin/snippets/h5p/h5ppackage/add/", {"title": "Đúng hay sai", "archive": fh})
    package = H5PPackage.objects.get()
    page = client.get(f"/admin/snippets/h5p/h5ppackage/edit/{package.pk}/").content.decode()
    assert "đang chờ duyệt thư viện" in page
    assert "H5P.TrueFalse 1.6" in page
    response = client.post(f"/admin/h5p/packages/{package.pk}/libraries/")
    assert response.status_code == 302
    assert services.package_is_playable(package)
    assert client.get("/admin/h5p/libraries/").status_code == 200


@pytest.mark.django_db
def test_admin_refuses_a_file_that_is_not_h5p(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/snippets/h5p/h5ppackage/add/",
        {"title": "x", "archive": io.BytesIO(b"hello")},
    )
    assert response.status_code == 200
    assert not H5PPackage.objects.exists()
