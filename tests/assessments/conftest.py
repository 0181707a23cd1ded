"""Fixtures for the assessments tests: a small bank with every question type and a quiz."""

import pytest

from assessments.models import Choice, Question, QuestionCategory, Quiz, QuizSlot

# The courses tests' catalogue and course factory, for the lesson wiring tests.
from tests.courses.conftest import catalogue, course_factory  # noqa: F401


def make_question(category, qtype, text, choices, **kwargs):
    """choices: (text, weight[, match_text[, feedback]]) tuples, in bank order."""
    question = Question(category=category, qtype=qtype, text=text, **kwargs)
    question.save()
    for order, spec in enumerate(choices):
        text_, weight, *rest = spec
        Choice.objects.create(
            question=question,
            sort_order=order,
            text=text_,
            weight=weight,
            match_text=rest[0] if rest else "",
            feedback=rest[1] if len(rest) > 1 else "",
        )
    return question


@pytest.fixture
def bank(db):
    """One question of each type in category "Kiểm thử"; returns {type: question}."""
    cat = QuestionCategory.objects.create(name="Kiểm thử")
    return {
        "single": make_question(
            cat, "single", "Số điện thoại khẩn cấp gọi công an là số nào?",
            [("113", 100, "", "Đúng: 113 là công an."), ("114", 0, "", "114 là cứu hỏa."),
             ("115", 0, "", "115 là cấp cứu.")],
            general_feedback="Ghi nhớ: 113 công an, 114 cứu hỏa, 115 cấp cứu.",
        ),
        "multiple": make_question(
            cat, "multiple", "Những thông tin nào không được cho người lạ biết?",
            [("Mã OTP", 50), ("Mật khẩu", 50), ("Tên tỉnh đang sống", -100)],
            partial_credit=True,
        ),
        "true_false": make_question(
            cat, "true_false", "Ngân hàng không bao giờ gọi điện xin mã OTP.",
            [("Đúng", 100), ("Sai", 0)],
        ),
        "short_answer": make_question(
            cat, "short_answer", "Ứng dụng định danh điện tử quốc gia tên là gì?",
            [("VNeID", 100), ("Định danh điện tử", 100)],
            ignore_diacritics=True,
        ),
        "ordering": make_question(
            cat, "ordering", "Sắp xếp các bước chuyển khoản an toàn.",
            [("Mở ứng dụng ngân hàng", 0), ("Kiểm tra tên người nhận", 0),
             ("Nhập số tiền", 0), ("Xác nhận bằng mã PIN", 0)],
        ),
        "matching": make_question(
            cat, "matching", "Ghép số điện thoại với dịch vụ.",
            [("113", 0, "Công an"), ("114", 0, "Cứu hỏa"), ("115", 0, "Cấp cứu")],
        ),
    }  # fmt: skip


@pytest.fixture
def quiz_factory(bank):
    def make(**kwargs):
        kwargs.setdefault("title", "Bài kiểm tra thử")
        kwargs.setdefault("slug", f"kiem-tra-thu-{Quiz.objects.count() + 1}")
        kwargs.setdefault("pass_mark_percent", 80)
        kwargs.setdefault("max_attempts", 2)
        kwargs.setdefault("review_policy", "after_each")
        questions = kwargs.pop("questions", list(bank.values()))
        quiz = Quiz.objects.create(**kwargs)
        for order, question in enumerate(questions):
            QuizSlot.objects.create(quiz=quiz, question=question, sort_order=order)
        return quiz

    return make


@pytest.fixture
def quiz(quiz_factory):
    return quiz_factory()


def right_responses(attempt, *, wrong=()):
    """The fully right answers to an attempt's frozen questions, from the bank (the test
    knows the bank; the browser never does). Question types in `wrong` get a wrong answer."""
    responses = {}
    for entry in attempt.frozen["questions"]:
        question = Question.objects.get(pk=entry["id"])
        rows = list(question.choices.order_by("sort_order"))
        qtype = entry["type"]
        bad = qtype in wrong
        if qtype in ("single", "true_false"):
            pick = [c for c in rows if (c.weight <= 0 if bad else c.weight == 100)][0]
            responses[str(question.id)] = {"choice": pick.key}
        elif qtype == "multiple":
            keys = [c.key for c in rows if (c.weight <= 0 if bad else c.weight > 0)]
            responses[str(question.id)] = {"choices": keys}
        elif qtype == "short_answer":
            responses[str(question.id)] = {"text": "sai" if bad else rows[0].text}
        elif qtype == "ordering":
            keys = [c.key for c in rows]
            responses[str(question.id)] = {"order": keys[::-1] if bad else keys}
        elif qtype == "matching":
            first = {}
            for c in rows:
                first.setdefault(c.match_text, c.key)
            texts = [c.match_text for c in rows]
            pairs = {
                c.key: first[texts[(i + 1) % len(texts)] if bad else c.match_text]
                for i, c in enumerate(rows)
            }
            responses[str(question.id)] = {"pairs": pairs}
    return {"version": 1, "responses": responses}


@pytest.fixture
def admin_client(client, user_factory):
    """A Wagtail admin (superuser) logged in; pytest-django's own has no full name."""
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    return client
