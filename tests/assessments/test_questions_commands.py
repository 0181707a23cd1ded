"""`manage.py questions_import` and `questions_export`: a line per question, a summary, the
ready ones imported by default, all or nothing on request, and a bank written back out."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments.interchange import parse_gift
from assessments.models import Question

MOODLE_SAMPLE = Path(__file__).parent / "fixtures" / "moodle_gift_examples.txt"
SOURCE = "Q1 {=a ~b}\n\n::Essay::Write about your town. {}\n\nBroken {=a ~b\n\nQ4 {T}\n"


def run(*args) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().splitlines()


@pytest.fixture
def bank_file(tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text(SOURCE, encoding="utf-8")
    return path


def test_dry_run_prints_a_line_per_question_and_the_summary(db, bank_file):
    lines = run("questions_import", str(bank_file), "--bank", "Thử", "--dry-run")
    assert lines[0] == "ready single Q1"
    assert lines[1] == "ready essay Essay"
    assert lines[2].startswith("refused ? Broken [dòng 5: ")
    assert lines[3] == "ready true_false Q4"
    assert lines[-1] == "3 ready, 1 refused"
    assert Question.objects.count() == 0


def test_import_takes_the_ready_ones_by_default(db, bank_file):
    lines = run("questions_import", str(bank_file), "--bank", "Thử")
    assert lines[0] == "imported single Q1" and lines[-1] == "3 ready, 1 refused"
    assert sorted(Question.objects.values_list("text", "category__name")) == [
        ("Q1", "Thử"), ("Q4", "Thử"), ("Write about your town.", "Thử")]  # fmt: skip


def test_all_or_nothing_imports_nothing_and_fails(db, bank_file):
    with pytest.raises(CommandError):
        run("questions_import", str(bank_file), "--bank", "Thử", "--all-or-nothing")
    assert Question.objects.count() == 0


def test_moodle_sample_summary(db):
    lines = run("questions_import", str(MOODLE_SAMPLE), "--bank", "Moodle", "--dry-run")
    result = parse_gift(MOODLE_SAMPLE.read_bytes())
    assert lines[-1] == result.summary()
    assert len(lines) == len(result.items) + 1


def test_export_writes_the_bank_and_its_subcategories(db, bank_file, tmp_path):
    run("questions_import", str(bank_file), "--bank", "Kỹ năng số/Lừa đảo")
    out = tmp_path / "out.gift"
    assert run("questions_export", str(out), "--bank", "Kỹ năng số", "--format", "gift") == [
        f"3 questions written to {out}"
    ]
    again = parse_gift(out.read_bytes())
    assert [q.text for q in again.questions] == ["Q1", "Write about your town.", "Q4"]
    assert {q.category for q in again.questions} == {"Kỹ năng số/Lừa đảo"}
    xlsx = tmp_path / "out.xlsx"
    run("questions_export", str(xlsx), "--bank", "Kỹ năng số", "--format", "xlsx")
    assert xlsx.read_bytes()[:2] == b"PK"
    xml = tmp_path / "out.xml"
    run("questions_export", str(xml), "--bank", "Kỹ năng số", "--format", "moodlexml")
    assert run("questions_import", str(xml), "--bank", "X", "--dry-run")[-1] == "3 ready, 0 refused"
    with pytest.raises(CommandError):
        run("questions_export", str(out), "--bank", "Không có", "--format", "gift")
