"""Issue 14, consent for imported people: someone created by an import (no consent record)
reads the current privacy notice and accepts it at their first log-in, before any other
page; the record is stored with the version and the address. A new version of the notice
asks everyone again. (The test settings turn the gate off; these tests turn it on.)"""

import pytest
from django.urls import reverse

from accounts import privacy_consent
from accounts.models import ConsentRecord
from accounts.services import consent_record
from tests import factories


@pytest.fixture(autouse=True)
def gate(settings):
    settings.HOCSO_CONSENT_GATE = True


def test_an_imported_person_accepts_the_notice_before_anything_else(client, db):
    person = factories.learner(name="Ngô Văn Minh")  # as an import makes them: no record
    client.force_login(person)
    response = client.get("/hoc/cua-toi/")
    consent_url = reverse("privacy_consent")
    assert response.status_code == 302
    assert response["Location"] == f"{consent_url}?next=%2Fhoc%2Fcua-toi%2F"
    assert client.get(reverse("my_data"))["Location"].startswith(consent_url)
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Trước khi tiếp tục" in page.content.decode()
    assert client.get(reverse("privacy_notice")).status_code == 200  # readable before

    refused = client.post(consent_url, {"next": "/hoc/cua-toi/"})  # box not ticked
    assert refused.status_code == 400 and "Hãy đánh dấu ô" in refused.content.decode()
    assert not ConsentRecord.objects.filter(user=person).exists()

    accepted = client.post(
        consent_url, {"accept": "yes", "next": "/hoc/cua-toi/"}, REMOTE_ADDR="198.51.100.9"
    )
    assert accepted["Location"] == "/hoc/cua-toi/"
    (record,) = ConsentRecord.objects.filter(user=person)
    assert (record.notice_version, record.ip_address) == ("2026-01", "198.51.100.9")
    assert client.get(reverse("my_data")).status_code == 200


def test_a_new_notice_version_asks_everyone_again(client, db, settings):
    person = factories.learner()
    consent_record(user=person)  # signed up under 2026-01
    client.force_login(person)
    assert client.get(reverse("my_data")).status_code == 200
    settings.PRIVACY_NOTICE_VERSION = "2027-01"
    response = client.get(reverse("my_data"))
    assert response["Location"].startswith(reverse("privacy_consent"))
    client.post(reverse("privacy_consent"), {"accept": "yes"})
    versions = ConsentRecord.objects.filter(user=person).values_list("notice_version", flat=True)
    assert sorted(versions) == ["2026-01", "2027-01"]
    assert client.get(reverse("my_data")).status_code == 200


def test_the_next_address_stays_on_the_site(client, db):
    client.force_login(factories.learner())
    response = client.post(
        reverse("privacy_consent"), {"accept": "yes", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_the_answer_is_remembered_for_the_session(client, db, monkeypatch):
    person = factories.learner()
    consent_record(user=person)
    client.force_login(person)
    client.get(reverse("my_data"))  # the check, once: its answer goes into the session
    calls = []
    original = privacy_consent.has_current_consent
    monkeypatch.setattr(
        privacy_consent, "has_current_consent", lambda user: calls.append(user) or original(user)
    )
    for _visit in range(2):
        assert client.get(reverse("my_data")).status_code == 200
    assert calls == []


def test_the_demo_accounts_that_sign_in_have_consented_and_imported_people_not(db):
    import io

    from accounts import privacy_demo
    from accounts.models import User

    manager = factories.manager()  # a password: a printed demo account
    imported = User.objects.create_user("nhap@example.vn", None, full_name="Người Được Nhập")
    privacy_demo.load(io.StringIO())
    privacy_demo.load(io.StringIO())  # idempotent
    assert ConsentRecord.objects.filter(user=manager).count() == 1
    assert not ConsentRecord.objects.filter(user=imported).exists()
