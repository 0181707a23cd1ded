"""The "SCORM" lesson block: it counts as the lesson's activity, renders the relay's mount
point for an enrolled learner, opens in the editor, and a package not checked yet is refused
at launch in Vietnamese."""

import io
import uuid

import pytest

from assessments.scorm import services
from assessments.scorm.models import ScormPackage
from courses.services import enrolment_create
from tests import factories
from tests.assessments.scorm.conftest import scorm_zip


@pytest.fixture
def lesson_with(home_page):
    def make(package, *, required=True):
        block_id = str(uuid.uuid4())
        body = [{"type": "scorm", "id": block_id,
                 "value": {"package": package.pk, "required": required}}]  # fmt: skip
        course = factories.course(lessons=["Bài SCORM"], bodies=[body],
                                  parent=factories.catalogue(home_page))  # fmt: skip
        return course, factories.lessons_of(course)[0], block_id

    return make


@pytest.fixture
def launch_url(lesson_with, user_factory, client):
    """A learner enrolled in a lesson holding `package`, logged in on `client`: the launch URL
    of the lesson's block (or of another `block_id`)."""

    def make(package, *, block_id=None):
        course, lesson, own_block_id = lesson_with(package)
        learner = user_factory()
        enrolment_create(user=learner, course=course, source="self")
        client.force_login(learner)
        return f"/hoc/bai/{lesson.pk}/scorm/{block_id or own_block_id}/bat-dau/"

    return make


def test_the_block_is_the_lessons_activity_and_renders_for_enrolled_learners(
    ready_package, lesson_with, user_factory, client
):
    package = ready_package(scorm_zip(scos=("only",)))
    course, lesson, block_id = lesson_with(package)
    assert lesson.required_activity_ids() == [block_id]
    assert lesson.completion_mode == "activities"
    learner = user_factory()
    client.force_login(learner)
    response = client.get(lesson.url)  # the lesson opens to the course's learners only
    assert response.status_code == 403 and "data-scorm-activity" not in response.content.decode()
    enrolment_create(user=learner, course=course, source="self")
    html = client.get(lesson.url).content.decode()
    assert f'data-launch-url="/hoc/bai/{lesson.pk}/scorm/{block_id}/bat-dau/"' in html
    assert "Bắt buộc: hoàn thành hoạt động này để kết thúc bài học." in html
    assert "scorm/scorm-relay.js" in html and "Đang tải hoạt động…" in html
    assert "Học tiếp hoạt động" in html and "Các phần của hoạt động" in html


def test_a_package_not_checked_yet_is_refused_at_launch(package_storage, launch_url, client):
    package = services.package_create(title="Chờ kiểm tra", fileobj=io.BytesIO(scorm_zip()))
    assert package.status == ScormPackage.Status.PENDING
    response = client.post(launch_url(package), "{}", content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"] == "Hoạt động SCORM này chưa sẵn sàng."


def test_a_block_of_another_kind_or_lesson_is_not_found(ready_package, launch_url, client):
    package = ready_package(scorm_zip(scos=("only",)))
    url = launch_url(package, block_id=uuid.uuid4())
    response = client.post(url, "{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"] == "Hoạt động này không thuộc bài học."


def test_the_editor_opens_a_lesson_with_a_scorm_block(ready_package, lesson_with, admin_client):
    package = ready_package(scorm_zip(scos=("only",)))
    _course, lesson, _block_id = lesson_with(package)
    response = admin_client.get(f"/admin/pages/{lesson.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/admin/snippets/choose/scorm/scormpackage/" in html  # the block's package chooser


def test_a_launch_of_a_part_the_package_does_not_have_is_refused(ready_package, launch_url, client):
    url = launch_url(ready_package(scorm_zip(scos=("a", "b"))))
    for body, status in (('{"sco": 5}', 400), ('{"sco": "item_c"}', 404), ("[", 400)):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == status, body
        assert response.json()["error"] == "Không tìm thấy phần này của khoá học."
    second = client.post(url, '{"sco": "item_b"}', content_type="application/json").json()
    assert second["sco"] == "item_b" and [s["identifier"] for s in second["scos"]] == [
        "item_a",
        "item_b",
    ]
