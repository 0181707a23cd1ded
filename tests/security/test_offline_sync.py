# ruff: noqa: F811 - fixtures imported from tests/courses/offline/conftest.py
"""Attacks on offline learning's endpoints (issue 21): the sync needs the CSRF token and a
session, counts only the learner's own progress, refuses events on courses they are not
enrolled in or lessons they never downloaded, and a replay or another person's event id
changes nothing of theirs. Downloads and lesson copies are for enrolled learners only."""

import json
import time

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment, LessonProgress
from courses.offline.models import OfflineCopy, OfflineEvent
from courses.services import enrolment_create
from tests.courses.conftest import catalogue, course_factory  # noqa: F401 - fixtures
from tests.courses.offline.conftest import (  # noqa: F401 - fixtures
    event,
    fetch_copies,
    learner,
    lessons_of,
    offline_course,
    send,
    video,
)

pytestmark = pytest.mark.django_db


def test_sync_without_the_csrf_token_is_refused(learner, offline_course):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(learner)
    fetch_copies(csrf_client, offline_course)
    first = lessons_of(offline_course)[0]
    body = json.dumps({"sent_at": int(time.time() * 1000), "events": [event("read", first)]})
    response = csrf_client.post(
        reverse("courses:offline:sync"), body, content_type="application/json"
    )
    assert response.status_code == 403
    assert not OfflineEvent.objects.exists()
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
    # With the token from the cookie (as offline.js sends it): accepted.
    csrf_client.get(offline_course.url)
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        reverse("courses:offline:sync"), body, content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    assert response.json()["results"][0]["status"] == "accepted"


def test_anonymous_sync_download_and_copy_are_refused(offline_course):
    anonymous = Client()
    first = lessons_of(offline_course)[0]
    assert send(anonymous, [event("read", first)]).status_code == 403
    manifest = anonymous.get(reverse("courses:offline:course_manifest", args=[offline_course.pk]))
    assert manifest.status_code == 403
    copy = anonymous.get(reverse("courses:offline:lesson_copy", args=[first.pk]))
    assert copy.status_code == 302 and "/tai-khoan/login/" in copy["Location"]
    assert not OfflineEvent.objects.exists() and not OfflineCopy.objects.exists()


def test_forged_events_for_a_course_not_enrolled_in_are_refused(
    client, user_factory, offline_course
):
    intruder = user_factory()
    client.force_login(intruder)
    first = lessons_of(offline_course)[0]
    assert (
        client.get(reverse("courses:offline:course_manifest", args=[offline_course.pk])).status_code
        == 403
    )
    assert client.get(reverse("courses:offline:lesson_copy", args=[first.pk])).status_code == 403
    results = send(client, [event("open", first), event("read", first)]).json()["results"]
    assert [r["status"] for r in results] == ["refused", "refused"]
    assert not LessonProgress.objects.filter(user=intruder).exists()
    assert not Enrolment.objects.filter(user=intruder).exists()


def test_events_never_count_for_another_person(client, learner, offline_course, user_factory):
    """A "user" field in the body is ignored; another person's event id is another row."""
    fetch_copies(client, offline_course)
    first = lessons_of(offline_course)[0]
    victim = user_factory()
    enrolment_create(user=victim, course=offline_course, source=Enrolment.Source.SELF)
    shared_id = "4f0c5a3e-1b2d-4c6e-9f70-123456789abc"
    forged = {**event("read", first, at=time.time() - 5, client_id=shared_id), "user": victim.pk}
    results = send(client, [forged]).json()["results"]
    assert results[0]["status"] == "accepted"
    assert LessonProgress.objects.get(user=learner, lesson=first).completed_at is not None
    assert not LessonProgress.objects.filter(user=victim).exists()
    # The victim later sends an event with the same id: theirs is counted on its own.
    victim_client = Client()
    victim_client.force_login(victim)
    fetch_copies(victim_client, offline_course)
    results = send(victim_client, [event("read", first, client_id=shared_id)]).json()["results"]
    assert results[0]["status"] == "accepted" and not results[0].get("replayed")
    assert OfflineEvent.objects.filter(client_id=shared_id).count() == 2


def test_an_event_on_a_lesson_never_downloaded_is_refused(client, learner, offline_course):
    first = lessons_of(offline_course)[0]
    results = send(client, [event("read", first)]).json()["results"]
    assert results[0]["status"] == "refused"
    assert "chưa được tải về" in results[0]["message"]
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


def test_a_replayed_event_with_another_lesson_changes_nothing(client, learner, offline_course):
    """An event id already counted keeps its first outcome, whatever the replay says."""
    fetch_copies(client, offline_course)
    first, second, _third = lessons_of(offline_course)
    same = "0b6f8f3e-8c55-4e7a-b1c4-0e2d9c1e5a77"
    send(client, [event("read", first, at=time.time() - 60, client_id=same)])
    replay = send(client, [event("read", second, client_id=same)]).json()["results"]
    assert replay[0]["replayed"] is True
    assert not LessonProgress.objects.filter(lesson=second, completed_at__isnull=False).exists()
    assert OfflineEvent.objects.filter(user=learner).count() == 1
