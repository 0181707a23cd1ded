"""Issue 13 finding 7, as the attack: a learner posts an H5P statement with max=7 before
anyone else. The maximum was pinned by the first statement received, so every honest
learner (max=1) was refused from then on ("max differs").

The maximum now comes from the package (its content, for the types whose maximum follows
from it) or from the editor (the upload form); a statement with another max is refused for
that learner alone. A package that gives none: each learner's first result pins that
learner's own maximum, never another's.
"""

import json

import pytest
from django.urls import reverse

from assessments.h5p.models import H5PLaunch, H5PPackage
from assessments.h5p.services import activity_iri, package_approve_libraries
from tests.assessments.h5p.conftest import build_zip, minimal_package

pytestmark = pytest.mark.django_db


def answered(iri, *, raw, maximum):
    return {
        "actor": {"account": {"name": "ignored"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": iri, "objectType": "Activity"},
        "result": {"score": {"min": 0, "max": maximum, "raw": raw}, "completion": True},
    }


@pytest.fixture
def learners(h5p_lesson, enrol, user_factory, client):
    """learners(package, n) -> a function post(i, raw, maximum) sending learner i's statement
    through the lesson's endpoint, as the player's relay does."""

    def make(package, n=2):
        course, lesson, block_id = h5p_lesson(package, pass_percent=60)
        base = f"/hoc/bai/{lesson.pk}/h5p/{block_id}"
        people = []
        for _ in range(n):
            user = user_factory()
            enrol(user, course)
            client.force_login(user)
            launch = client.post(f"{base}/bat-dau/", "{}", content_type="application/json")
            assert launch.status_code == 200, launch.content
            people.append((user, launch.json()["statement_url"]))

        def post(i, *, raw, maximum):
            user, url = people[i]
            client.force_login(user)
            body = json.dumps(answered(activity_iri(package), raw=raw, maximum=maximum))
            return client.post(url, body, content_type="application/json")

        post.users = [u for u, _url in people]
        return post

    return make


def test_a_learner_posting_max_7_first_does_not_lock_honest_learners_out(
    playable_package, learners
):
    package = playable_package("H5P.TrueFalse")
    post = learners(package, 3)
    attack = post(0, raw=7, maximum=7)
    assert attack.status_code == 400 and attack.json()["code"] == "max"
    message = attack.json()["error"]
    assert "(7)" in message and "(1)" in message and "không khớp" in message
    for honest in (1, 2):
        response = post(honest, raw=1, maximum=1)
        assert response.status_code == 200, response.content
        assert response.json()["graded"] is True and response.json()["score_percent"] == 100.0
    # The attacker stored nothing; they can still answer honestly.
    assert not H5PLaunch.objects.filter(user=post.users[0], score_max__isnull=False).exists()
    assert post(0, raw=0, maximum=1).status_code == 200


def test_the_maximum_is_read_from_the_package_not_from_statements(playable_package):
    for name, expected in (("H5P.TrueFalse", 1), ("H5P.MultiChoice", 1), ("H5P.Blanks", 3)):
        package = playable_package(name)
        assert (package.max_score, package.max_score_source) == (expected, "package"), name


def test_the_editors_maximum_from_the_upload_form_is_enforced(
    make_package, admin_user, learners, client
):
    """A type whose maximum the server cannot read: the editor types it in the admin."""
    package = make_package(build_zip(minimal_package()), title="Câu hỏi riêng")
    package_approve_libraries(package=package, approved_by=admin_user)
    client.force_login(admin_user)
    edit = reverse("wagtailsnippets_h5p_h5ppackage:edit", args=[package.pk])
    saved = client.post(edit, {"title": "Câu hỏi riêng", "max_score": "4"})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    package.refresh_from_db()
    assert (package.max_score, package.max_score_source) == (4, "editor")
    assert "Điểm tối đa: 4 (Do biên tập viên đặt)" in client.get(edit).content.decode()
    post = learners(package, 2)
    assert post(0, raw=1, maximum=1).status_code == 400
    accepted = post(1, raw=3, maximum=4)
    assert accepted.status_code == 200 and accepted.json()["score_percent"] == 75.0


def test_without_a_package_or_editor_maximum_each_learner_pins_only_their_own(
    make_package, admin_user, learners
):
    package = make_package(build_zip(minimal_package()), title="Câu hỏi riêng")
    package_approve_libraries(package=package, approved_by=admin_user)
    assert package.max_score is None
    post = learners(package, 2)
    assert post(0, raw=7, maximum=7).status_code == 200  # the attacker's own maximum
    honest = post(1, raw=1, maximum=1)
    assert honest.status_code == 200 and honest.json()["score_percent"] == 100.0
    assert post(1, raw=1, maximum=7).status_code == 400  # the honest learner's is pinned
    assert post(0, raw=1, maximum=1).status_code == 400  # and the attacker's too
    package.refresh_from_db()
    assert package.max_score is None and package.max_score_source == "learner"
    assert H5PPackage.objects.get(pk=package.pk).max_score is None
