"""Building a quiz (issue 22, editor): a whole category in one step, the question chooser
shows each question's text and type in words, random draws folded away, slugs filled in."""

import pytest
from django.urls import reverse

from assessments.models import Choice, Question, QuestionCategory, Quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, user_factory):
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def bank():
    category = QuestionCategory.objects.create(name="Zalo an toàn")
    questions = []
    pairs = [("single", "Mã OTP có được đưa cho người khác?"),
             ("true_false", "Zalo có xác thực hai lớp.")]  # fmt: skip
    for n, (qtype, text) in enumerate(pairs, 1):
        q = Question.objects.create(category=category, qtype=qtype, title=f"Zalo-{n}", text=text)
        Choice.objects.create(question=q, text="Đúng", weight=100)
        Choice.objects.create(question=q, text="Sai", weight=0)
        questions.append(q)
    return category, questions


def quiz_form(**fields):
    data = {"title": "", "slug": "", "intro": "", "pass_mark_percent": "80",
            "max_attempts": "0", "time_limit_minutes": "", "grading_method": "highest",
            "review_policy": "after_pass", "shuffle_questions": "on", "shuffle_choices": "on",
            "open_at": "", "close_at": "", "add_questions_from": "",
            "slots-TOTAL_FORMS": "0", "slots-INITIAL_FORMS": "0",
            "slots-MIN_NUM_FORMS": "0", "slots-MAX_NUM_FORMS": "1000"}  # fmt: skip
    data.update(fields)
    return data


def test_a_quiz_is_built_from_a_category_in_one_step(admin_client, bank):
    category, questions = bank
    url = reverse("wagtailsnippets_assessments_quiz:add")
    data = quiz_form(title="Kiểm tra: Zalo an toàn", add_questions_from=str(category.pk))
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    quiz = Quiz.objects.get(title="Kiểm tra: Zalo an toàn")
    assert quiz.slug == "kiem-tra-zalo-an-toan"  # filled in from the title, ASCII
    assert list(quiz.slots.order_by("sort_order").values_list("question_id", flat=True)) == [
        q.pk for q in questions
    ]
    assert all(slot.category_id is None for slot in quiz.slots.all())
    # Adding the same category again adds nothing twice.
    edit = reverse("wagtailsnippets_assessments_quiz:edit", args=(quiz.pk,))
    slots = {"slots-TOTAL_FORMS": "2", "slots-INITIAL_FORMS": "2"}
    for i, slot in enumerate(quiz.slots.order_by("sort_order")):
        slots.update({f"slots-{i}-id": str(slot.pk), f"slots-{i}-question": str(slot.question_id),
                      f"slots-{i}-category": "", f"slots-{i}-draw_count": "1",
                      f"slots-{i}-ORDER": str(i + 1)})  # fmt: skip
    data = quiz_form(title=quiz.title, slug=quiz.slug, add_questions_from=str(category.pk), **slots)
    assert admin_client.post(edit, data).status_code == 302
    assert quiz.slots.count() == 2


def test_the_quiz_form_folds_the_random_draw_away(admin_client):
    html = admin_client.get(reverse("wagtailsnippets_assessments_quiz:add")).content.decode()
    assert "add_questions_from" in html
    # The random draw of each question line sits in a collapsed panel.
    assert "collapsed" in html or 'aria-expanded="false"' in html


def test_the_question_chooser_shows_text_and_type_in_words(admin_client, bank):
    url = reverse("wagtailsnippetchoosers_assessments_question:choose")
    html = admin_client.get(url).json()["html"]
    assert "Mã OTP có được đưa cho người khác?" in html
    assert "Một lựa chọn" in html and "Đúng/Sai" in html
    assert ">single<" not in html and ">true_false<" not in html


def test_question_listing_shows_type_names(admin_client, bank):
    html = admin_client.get(reverse("wagtailsnippets_assessments_question:list")).content.decode()
    assert "Một lựa chọn" in html and "Đúng/Sai" in html
    assert ">single<" not in html and ">true_false<" not in html
