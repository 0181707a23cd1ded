"""Fixtures of the H5P tests: private storage in a temp folder, packages built from the shared
fixtures or from zips the tests write, and an administrator to approve libraries."""

import io
import json
import zipfile

import pytest


@pytest.fixture(autouse=True)
def h5p_storage(settings, tmp_path):
    settings.H5P_STORAGE_ROOT = tmp_path / "h5p-private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.H5P_STORAGE_ROOT


@pytest.fixture
def admin_user(user_factory):
    return user_factory(is_superuser=True, is_staff=True)


@pytest.fixture
def make_package(db, django_capture_on_commit_callbacks):
    """Upload bytes or a path through the service; the task runs on commit (eagerly)."""
    from assessments.h5p.models import H5PPackage
    from assessments.h5p.services import package_create

    def make(source, *, title="Gói thử", user=None, slug=None) -> H5PPackage:
        data = source.read_bytes() if hasattr(source, "read_bytes") else source
        with django_capture_on_commit_callbacks(execute=True):
            package = package_create(
                title=title, fileobj=io.BytesIO(data), uploaded_by=user, slug=slug,
                original_filename=getattr(source, "name", "upload.h5p"),
            )  # fmt: skip
        package.refresh_from_db()
        return package

    return make


@pytest.fixture
def playable_package(make_package, admin_user, fixtures_dir):
    """A fixture package validated, extracted and with its libraries approved."""
    from assessments.h5p.services import package_approve_libraries

    def make(name="H5P.TrueFalse"):
        package = make_package(fixtures_dir / "h5p" / "valid" / f"{name}.h5p", title=name)
        assert package.status == "ready", package.error_messages
        package_approve_libraries(package=package, approved_by=admin_user)
        return package

    return make


def build_zip(entries: dict[str, bytes | str], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def minimal_package(extra: dict | None = None, *, h5p_json: dict | None = None) -> dict:
    """The entries of a small valid package with one library of its own (Test.Quiz 1.0.0)."""
    entries = {
        "h5p.json": json.dumps(
            h5p_json
            or {
                "title": "Câu hỏi thử",
                "language": "vi",
                "mainLibrary": "Test.Quiz",
                "embedTypes": ["div"],
                "preloadedDependencies": [
                    {"machineName": "Test.Quiz", "majorVersion": 1, "minorVersion": 0}
                ],
            }
        ),
        "content/content.json": json.dumps({"question": "Xin chào?"}),
        "Test.Quiz-1.0/library.json": json.dumps(
            {
                "title": "Test quiz",
                "machineName": "Test.Quiz",
                "majorVersion": 1,
                "minorVersion": 0,
                "patchVersion": 0,
                "runnable": 1,
                "preloadedJs": [{"path": "quiz.js"}],
            }
        ),
        "Test.Quiz-1.0/quiz.js": "var H5P = H5P || {};",
    }
    entries.update(extra or {})
    return entries


@pytest.fixture
def h5p_lesson(home_page):
    """A published course with one lesson holding one required H5P block; returns a maker
    (package, pass_percent) -> (course, lesson, block_id)."""
    import uuid

    from tests import factories

    def make(package, *, pass_percent=60, required=True):
        block_id = str(uuid.uuid4())
        body = [
            factories.text_block("<p>Trả lời câu hỏi bên dưới.</p>"),
            {"type": "h5p", "id": block_id,
             "value": {"package": package.pk, "pass_percent": pass_percent, "required": required}},
        ]  # fmt: skip
        course = factories.course(
            lessons=["Bài 1: Câu hỏi đúng sai"],
            bodies=[body],
            title="Kỹ năng số cơ bản",
            summary="Khoá học thử.",
            parent=factories.catalogue(home_page),
        )
        return course, factories.lessons_of(course)[0], block_id

    return make


@pytest.fixture
def enrol():
    from courses.services import enrolment_create

    def make(user, course):
        return enrolment_create(user=user, course=course, source="self")

    return make


def xapi_statements(fixtures_dir, name="xapi_truefalse_crossorigin.json") -> list[dict]:
    """The captured statements of a fixture file (list of {from, data: {statement}})."""
    with open(fixtures_dir / "xapi" / name) as fh:
        messages = json.load(fh)
    return [
        m["data"]["statement"]
        for m in messages
        if isinstance(m.get("data"), dict) and m["data"].get("type") == "xapi"
    ]


def retarget(statement: dict, iri: str) -> dict:
    """A captured statement as our player emits it: object.id is the activity IRI
    (xAPIObjectIRI), sub-content ids appended as H5P does."""
    statement = json.loads(json.dumps(statement))
    old = statement["object"]["id"]
    suffix = old[old.index("?") :] if "?" in old else ""
    statement["object"]["id"] = iri + suffix
    parent = statement.get("context", {}).get("contextActivities", {}).get("parent")
    if parent:
        for p in parent:
            p["id"] = iri
    return statement
