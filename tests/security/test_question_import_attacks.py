"""Attacks through a question bank file (GIFT, Moodle XML): entity expansion and external
entities are refused before anything is read, a fake "image" embedded in base64 is refused
with its question, a file past the size limit is refused whole, and HTML a file carries
reaches no page unsanitised (scripts and handlers dropped in every format)."""

import base64
import re

import pytest
from django.urls import reverse

from assessments.interchange import parse_gift
from assessments.models import Attempt, Question
from assessments.moodlexml import parse_moodlexml
from assessments.selectors import attempt_questions
from assessments.services import ImportRefused, attempt_start, bank_import
from tests import factories

# As a GIFT file writes it (= and : escaped), so the HTML reaches the question whole.
SCRIPT = ('<script>alert(1)</script><img src\\="x" onerror\\="alert(2)">'
          '<a href\\="javascript\\:alert(3)">a</a>')  # fmt: skip
# An element of a page that would run code: a script, an on* handler, a javascript: link.
RUNS = re.compile(r"<script|<[^>]*\son\w+\s*=|<[^>]*=\s*[\"']?javascript:", re.IGNORECASE)


def test_billion_laughs_is_refused_whole():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(b'<!ENTITY lol%d "&lol%d;&lol%d;">' % (i, i - 1 if i > 1 else 0, i - 1)
                       for i in range(1, 10)).replace(b"&lol0;", b"&lol;")
            + b"]><quiz><question type=\"description\"><questiontext><text>&lol9;</text>"
            + b"</questiontext></question></quiz>")  # fmt: skip
    result = parse_moodlexml(bomb)
    assert result.file_problems and result.ready == []


def test_an_external_entity_reads_no_file():
    xxe = (b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<quiz><question type="description"><name><text>&x;</text></name>'
           b"<questiontext><text>&x;</text></questiontext></question></quiz>")  # fmt: skip
    result = parse_moodlexml(xxe)
    assert result.file_problems and not result.questions
    assert "root:" not in str(result.problems)


def test_a_fake_image_is_refused_with_its_question(db):
    fake = base64.b64encode(b"<?php system($_GET['c']); ?>").decode()
    xml = (f'<quiz><question type="description"><name><text>Ảnh</text></name>'
           f'<questiontext format="html"><text>&lt;img src="@@PLUGINFILE@@/a.png"&gt;</text>'
           f'<file name="a.png" encoding="base64">{fake}</file>'
           f"</questiontext></question></quiz>")  # fmt: skip
    result = parse_moodlexml(xml.encode())
    with pytest.raises(ImportRefused) as refused:
        bank_import(questions=result.ready)
    assert "a.png" in str(refused.value)
    assert Question.objects.count() == 0


def test_a_file_past_the_size_limit_is_refused_whole(settings):
    settings.QUESTION_IMPORT_MAX_BYTES = 1000
    big = b"<quiz>" + b" " * 2000 + b"</quiz>"
    assert parse_moodlexml(big).file_problems
    assert parse_gift(b"Q {=a ~b}\n" + b"/" * 2000).file_problems


@pytest.mark.parametrize("marker", ["[html]", "[markdown]", "[moodle]", ""])
def test_html_from_a_file_is_sanitised_on_the_attempt_page(db, user_factory, marker):
    source = f"{marker}Câu {SCRIPT} {{=[html]đúng {SCRIPT}#[html]{SCRIPT} ~sai}}"
    [question] = bank_import(questions=parse_gift(source.encode()).questions)
    quiz = factories.quiz(questions=[question])
    attempt = attempt_start(user=user_factory(), quiz=quiz)
    [served] = attempt_questions(attempt)
    shown = served.text + "".join(c.text for c in served.choices)
    assert "Câu" in shown and "đúng" in shown
    assert not RUNS.search(shown), shown
    assert Attempt.objects.count() == 1


def test_the_admin_preview_shows_no_script(db, client, user_factory):
    admin = user_factory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    [question] = bank_import(questions=parse_gift(f"[html]Câu {SCRIPT} {{T}}".encode()).questions)
    quiz = factories.quiz(questions=[question])
    page = client.get(reverse("assessments_quiz_preview", args=[quiz.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Câu" in body and not RUNS.search(body.split("<main", 1)[-1].split("</main>")[0])
