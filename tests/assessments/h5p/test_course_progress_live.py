"""Issue 22, learner: the course progress bar moves without a reload when an H5P activity
completes a lesson, so the statement endpoint answers with the course's new progress (and
the lesson page carries the bar progress.js updates)."""

import pytest

from tests.assessments.h5p.test_statements import answered, post, setup  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_a_graded_statement_answers_with_the_courses_new_progress(setup, client):  # noqa: F811
    ctx = setup()  # a one-lesson course: passing the activity completes it
    lesson_html = client.get(ctx["lesson"].url).content.decode()
    assert "data-course-progress" in lesson_html and "courses/progress.js" in lesson_html
    assert 'value="0"' in lesson_html.split('data-testid="course-progress"')[0][-200:]
    data = post(client, ctx["launch"]["statement_url"], answered(ctx["iri"])).json()
    assert data["lesson_completed"] is True
    assert data["course_percent"] == 100
    assert data["course_completed"] is True


def test_a_failed_statement_keeps_the_progress(setup, client):  # noqa: F811
    ctx = setup(pass_percent=100)
    data = post(client, ctx["launch"]["statement_url"], answered(ctx["iri"], raw=0)).json()
    assert data["lesson_completed"] is False
    assert data["course_percent"] == 0
