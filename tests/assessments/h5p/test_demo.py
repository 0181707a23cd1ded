"""The demo content type (HocSo.QuickCheck) is built, validated, extracted and approved by
the real services; loading twice changes nothing."""

import io
import json

import pytest

from assessments.h5p import demo, services, storage
from assessments.h5p.models import H5PLibrary, H5PPackage
from assessments.h5p.validation import inspect_package

pytestmark = pytest.mark.django_db


def test_demo_package_is_deterministic_and_valid():
    assert demo.build_package() == demo.build_package()
    result = inspect_package(io.BytesIO(demo.build_package()))
    assert result.errors == []
    assert result.main_library == "HocSo.QuickCheck 1.0"


def test_demo_load_is_idempotent_and_playable(admin_user):
    out = io.StringIO()
    first = demo.load(out)
    assert first.slug == demo.DEMO_SLUG and first.title == demo.DEMO_TITLE
    assert services.package_is_playable(first)
    assert "1 libraries approved" in out.getvalue()
    library = H5PLibrary.objects.get(machine_name="HocSo.QuickCheck")
    assert library.status == "approved" and library.approved_by == admin_user
    assert (storage.library_path(library.files_sha256) / "quick-check.js").is_file()
    before = (
        list(H5PPackage.objects.values_list("pk", "archive_sha256", "status", "updated_at")),
        list(H5PLibrary.objects.values_list("pk", "status", "updated_at")),
    )
    out = io.StringIO()
    second = demo.load(out)
    assert second.pk == first.pk
    assert "unchanged, 0 libraries approved, playable=True" in out.getvalue()
    after = (
        list(H5PPackage.objects.values_list("pk", "archive_sha256", "status", "updated_at")),
        list(H5PLibrary.objects.values_list("pk", "status", "updated_at")),
    )
    assert before == after


def test_demo_statement_grades(admin_user, user_factory):
    package = demo.load(io.StringIO())
    learner = user_factory()
    launch = services.launch_start(user=learner, package=package, context_key="demo")
    statement = json.dumps(
        {
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "object": {"id": services.activity_iri(package)},
            "result": {"score": {"min": 0, "max": 1, "raw": 1, "scaled": 1}},
        }
    )
    outcome = services.statement_record(
        user=learner, launch_id=launch.public_id, context_key="demo", payload=statement,
        pass_percent=100,
    )  # fmt: skip
    assert outcome.graded and outcome.passed and outcome.score_percent == 100
