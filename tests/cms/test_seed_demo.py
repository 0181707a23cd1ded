import pytest
from django.core.management import call_command
from wagtail.models import Page, Site

from accounts.models import User
from assessments.models import Question, Quiz
from assessments.scorm.models import ScormPackage
from cms.models import HomePage
from tests.cms.pages import html_of


def _counts():
    models = (User, Page, Site, ScormPackage, Quiz, Question)
    return tuple(model.objects.count() for model in models)


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_the_accounts(capsys, client):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = _counts()
    call_command("seed_demo")
    assert _counts() == counts
    assert HomePage.objects.count() == 1
    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage
    for email in ("admin@", "editor@", "manager@", "learner@"):
        assert email in first
    assert "hocso-demo-2026" in first
    assert User.objects.get(email="admin@hocso.local").is_superuser
    assert User.objects.get(email="editor@hocso.local").is_staff
    _scorm_lesson_and_essay_queue(first, client)


def _scorm_lesson_and_essay_queue(output, client):
    """The SCORM practice plays a ready package for the demo learner; the essay the demo
    learner submits waits in the demo manager's grading queue (a grader of their agency)."""
    from assessments.demo import ESSAY_QUIZ_SLUG
    from assessments.services import attempt_start, attempt_submit
    from campaigns.selectors import grading_queue_of, may_grade
    from courses import demo as courses_demo
    from courses.models import LessonPage

    assert "SCORM demo “Thực hành: quét mã QR an toàn”: created, SCORM 2004" in output
    package = ScormPackage.objects.get()
    assert package.status == ScormPackage.Status.READY and len(package.sco_items) == 1
    lesson = LessonPage.objects.get(slug=courses_demo.SCORM_LESSON_SLUG)
    learner = User.objects.get(email="learner@hocso.local")
    client.force_login(learner)  # enrolled by the campaign; consent given by the demo
    html = html_of(client.get(lesson.url))
    assert "data-scorm-activity" in html and "Thực hành: quét mã QR an toàn" in html
    assert "Bắt buộc: hoàn thành hoạt động này để kết thúc bài học." in html

    manager = User.objects.get(email="manager@hocso.local")
    assert may_grade(manager) and not grading_queue_of(manager).exists()
    essay_lesson = LessonPage.objects.get(slug=courses_demo.ESSAY_LESSON_SLUG)
    [block] = [b for b in essay_lesson.body.raw_data if b["type"] == "quiz"]
    quiz = Quiz.objects.get(slug=ESSAY_QUIZ_SLUG)
    assert block["value"]["quiz"] == quiz.pk
    essay = Question.objects.get(category__quiz_slots__quiz=quiz, qtype="essay")
    attempt = attempt_start(user=learner, quiz=quiz,
                            context_key=f"lesson:{essay_lesson.pk}:{block['id']}")  # fmt: skip
    text = "Tôi đọc kỹ tên người nhận, số tiền và không bao giờ đọc mã OTP cho ai."
    answers = {"version": 1, "responses": {str(essay.pk): {"text": text}}}
    attempt_submit(attempt=attempt, user=learner, answers=answers)
    assert list(grading_queue_of(manager)) == [attempt]


@pytest.mark.django_db
def test_home_page_is_vietnamese(client):
    call_command("seed_demo")
    html = html_of(client.get("/"))
    assert "Bình dân học vụ số" in html
    assert "Đăng nhập" in html


@pytest.mark.django_db
def test_english_is_selectable(client):
    call_command("seed_demo")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = html_of(client.get("/"), lang="en")
    assert "Log in" in html
