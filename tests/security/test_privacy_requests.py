"""Issue 14, attacks on privacy requests: only a superuser (the data-protection officer)
opens the queue, downloads a person's data or anonymises an account; managers and editors
with admin access, guessed ids and forged posts change nothing; a person's request is made
for themselves only and needs the CSRF token."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from accounts import privacy
from accounts.models import PrivacyRequest, User
from tests import factories


@pytest.fixture
def made(db):
    tree = factories.agency_tree()
    anh = factories.learner(tree["unit"], name="Trần Thị Ánh")
    manager = factories.manager(tree["snv"])
    manager.user_permissions.add(Permission.objects.get(codename="access_admin"))
    editor = factories.user(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    request = privacy.privacy_request_create(user=anh, kind="delete")
    return {"anh": anh, "manager": manager, "editor": editor, "request": request}


def test_managers_and_editors_cannot_use_the_queue(client, made):
    pk = made["request"].pk
    for who in ("manager", "editor", "anh"):
        client.force_login(made[who])
        for url in (reverse("privacy_requests:index"),
                    reverse("privacy_requests:detail", args=[pk]),
                    reverse("privacy_requests:export", args=[pk])):  # fmt: skip
            response = client.get(url)
            assert response.status_code in (302, 403), (who, url)
            assert b"Tr\xe1\xba\xa7n Th\xe1\xbb\x8b \xc3\x81nh" not in response.content
        client.post(reverse("privacy_requests:anonymise", args=[pk]), {"confirm": "yes"})
        client.post(reverse("privacy_requests:close", args=[pk]), {"status": "done"})
    assert User.objects.get(pk=made["anh"].pk).full_name == "Trần Thị Ánh"
    assert PrivacyRequest.objects.get(pk=pk).status == "open"
    assert not ModelLogEntry.objects.filter(
        action__in=["hocso.person_anonymised", "hocso.person_data_exported"]
    ).exists()


def test_guessed_ids_and_a_get_change_nothing(client, made, user_factory):
    client.force_login(user_factory(is_superuser=True, is_staff=True))
    assert client.get(reverse("privacy_requests:detail", args=[999_999])).status_code == 404
    anonymise = reverse("privacy_requests:anonymise", args=[made["request"].pk])
    assert client.get(anonymise, {"confirm": "yes"}).status_code == 405
    assert User.objects.get(pk=made["anh"].pk).is_active


def test_a_person_asks_for_themselves_only_and_with_the_csrf_token(made):
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(made["manager"])
    url = reverse("my_data_request")
    assert forged.post(url, {"kind": "delete"}).status_code == 403
    browser = Client()
    browser.force_login(made["manager"])
    browser.post(
        url, {"kind": "delete", "confirmed": "1", "user": made["anh"].pk, "user_id": made["anh"].pk}
    )
    assert set(PrivacyRequest.objects.values_list("user_id", flat=True)) == {
        made["anh"].pk,
        made["manager"].pk,
    }
