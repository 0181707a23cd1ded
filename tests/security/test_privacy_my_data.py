"""Issue 14, attacks on "My data": the pages take no id, so the only data they show is the
signed-in person's (a manager sees their own, not their people's; a colleague of the same
agency is never in the file); the consent form needs the CSRF token and a POST."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ConsentRecord
from tests import factories


@pytest.fixture
def colleagues(db):
    tree = factories.agency_tree()
    return {
        "anh": factories.learner(tree["unit"], name="Trần Thị Ánh", employee_code="NV-1"),
        "binh": factories.learner(tree["unit"], name="Lê Văn Bình", employee_code="NV-2"),
        "manager": factories.manager(tree["snv"], name="Lê Văn Quản Lý"),
    }


def test_the_download_holds_only_the_signed_in_persons_data(client, colleagues):
    anh, binh = colleagues["anh"], colleagues["binh"]
    client.force_login(anh)
    for query in ("", f"?user={binh.pk}", f"?id={binh.pk}"):
        body = client.get(reverse("my_data_download", args=["json"]) + query).content.decode()
        assert binh.email not in body and "Lê Văn Bình" not in body and "NV-2" not in body
        assert json.loads(body)["sections"]["account"]["rows"][0]["email"] == anh.email


def test_a_managers_own_data_does_not_hold_their_peoples(client, colleagues):
    client.force_login(colleagues["manager"])
    html = client.get(reverse("my_data")).content.decode()
    assert "Lê Văn Quản Lý" in html
    assert "Trần Thị Ánh" not in html and "Lê Văn Bình" not in html


def test_the_consent_form_needs_the_csrf_token_and_a_post(colleagues):
    anh = colleagues["anh"]
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(anh)
    url = reverse("my_data_consent")
    data = {"purpose": ConsentRecord.Purpose.REMINDER_EMAILS, "give": "0"}
    assert forged.post(url, data).status_code == 403
    assert forged.get(url, data).status_code == 405
    assert not ConsentRecord.objects.filter(user=anh, withdrawn_at__isnull=False).exists()
