"""Issue 14, "My data" (/tai-khoan/du-lieu/): the person sees what HọcSố holds about them on
every floor, downloads it as JSON and as a readable HTML page (each download audited),
finds where to correct it, and withdraws (and gives back) the optional consent to reminder
e-mails, which the reminders then respect."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts import privacy
from accounts.models import ConsentRecord
from assessments.models import Attempt
from campaigns import notify, services
from campaigns.models import Assignment
from tests import factories


@pytest.fixture
def anh(tree, learner_in, completed, course_factory):  # noqa: F811 - conftest fixtures
    """Ánh: a learner of the unit with a certificate, a campaign assignment and a notice."""
    person = learner_in(tree["unit"], name="Trần Thị Ánh", employee_code="NV-042")
    _user, course, certificate = completed(user=person)
    campaign = factories.campaign(courses=[course_factory(title="An toàn thông tin")])
    services.campaign_assign(campaign=campaign)
    return {"person": person, "certificate": certificate, "course": course}


def test_the_page_shows_every_floors_data_and_nobody_elses(client, tree, anh, learner_in):
    other = learner_in(tree["syt"], name="Phạm Văn Chi", employee_code="NV-999")
    client.force_login(anh["person"])
    response = client.get(reverse("my_data"))
    html = response.content.decode()
    assert response.status_code == 200
    for key in ("account", "consents", "second_factors", "learner_profile", "agency_history",
                "assignments", "notices", "enrolments", "lesson_progress", "certificates",
                "attempts", "attendance"):  # fmt: skip
        assert f'data-section="{key}"' in html, key
    assert "Phòng Tổ chức biên chế" in html and "NV-042" in html
    assert anh["certificate"].code in html and "Kỹ năng số cơ bản" in html
    assert other.full_name not in html and "NV-999" not in html and other.email not in html
    assert reverse("profile") in html and reverse("account_change_phone") in html


def test_the_json_download_holds_the_data_and_is_audited_once(client, tree, anh):
    client.force_login(anh["person"])
    response = client.get(reverse("my_data_download", args=["json"]))
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="du-lieu-cua-toi-')
    document = json.loads(response.content)
    assert document["version"] == 1
    sections = document["sections"]
    (account,) = sections["account"]["rows"]
    assert (account["full_name"], account["email"], account["phone"]) == (
        "Trần Thị Ánh", anh["person"].email, None)  # fmt: skip
    joined = dt.datetime.fromisoformat(account["date_joined"])
    assert abs(joined - anh["person"].date_joined) < dt.timedelta(milliseconds=1)
    assert sections["learner_profile"]["rows"][0]["employee_code"] == "NV-042"
    assert [r["agency__name"] for r in sections["agency_history"]["rows"]] == [
        "Phòng Tổ chức biên chế"
    ]
    assert sections["certificates"]["rows"][0]["code"] == anh["certificate"].code
    assert sections["enrolments"]["rows"][0]["percent"] == 100
    assert len(sections["assignments"]["rows"]) == 1
    entry = ModelLogEntry.objects.get(action="hocso.my_data_downloaded")
    assert entry.user == anh["person"] and entry.data["person"] == anh["person"].pk
    assert entry.data["details"] == {"format": "json"}


def test_the_html_download_reads_as_a_page(client, anh):
    client.force_login(anh["person"])
    response = client.get(reverse("my_data_download", args=["html"]))
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "<h1>Dữ liệu của tôi: Trần Thị Ánh</h1>" in html
    assert anh["certificate"].code in html and "Phòng Tổ chức biên chế" in html
    assert ModelLogEntry.objects.filter(action="hocso.my_data_downloaded").count() == 1
    # Walker #6: a saved file has no stylesheet to scroll a table: each row's fields are
    # listed one under another, which fits a phone.
    assert "<table" not in html
    assert f"<dd>{anh['certificate'].code}</dd>" in html and "<dt>Mã</dt>" in html
    assert client.get(reverse("my_data_download", args=["xml"])).status_code == 404


def test_signed_out_visitors_are_sent_to_log_in(client, db):
    for url in (reverse("my_data"), reverse("my_data_download", args=["json"])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_withdrawing_the_reminder_emails_consent_stops_the_emails_not_the_notices(client, anh):
    person = anh["person"]
    Assignment.objects.filter(user=person).update(due_at=timezone.now() + dt.timedelta(hours=6))
    client.force_login(person)
    purpose = ConsentRecord.Purpose.REMINDER_EMAILS
    response = client.post(reverse("my_data_consent"), {"purpose": purpose, "give": "0"})
    assert response.status_code == 302
    assert privacy.consent_withdrawn(person, purpose)
    record = ConsentRecord.objects.get(user=person, purpose=purpose)
    assert record.given_at == person.date_joined and record.withdrawn_at is not None
    client.post(reverse("my_data_consent"), {"purpose": purpose, "give": "0"})  # no change
    assert ModelLogEntry.objects.filter(action="hocso.consent_withdrawn").count() == 1
    assert "withdrawn" not in client.get(reverse("my_data")).content.decode()  # Vietnamese
    assert "đã rút lại" in client.get(reverse("my_data")).content.decode()

    mail.outbox.clear()
    assert notify.reminders_send()["due_1"] == 1
    assert mail.outbox == []  # the notice only
    assert person.notices.filter(kind="reminder").count() == 1

    client.post(reverse("my_data_consent"), {"purpose": purpose, "give": "1"})
    assert not privacy.consent_withdrawn(person, purpose)
    assert ModelLogEntry.objects.filter(action="hocso.consent_given").count() == 1
    assert notify.manual_reminders_send(assignments=Assignment.objects.filter(user=person)) == 0
    Assignment.objects.filter(user=person).update(due_at=timezone.now() + dt.timedelta(days=6))
    notify.reminders_send()
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_the_privacy_notice_consent_cannot_be_withdrawn_from_the_form(client, anh):
    client.force_login(anh["person"])
    client.post(reverse("my_data_consent"), {"purpose": "privacy_notice", "give": "0"})
    assert not ConsentRecord.objects.filter(withdrawn_at__isnull=False).exists()
    assert ModelLogEntry.objects.filter(action="hocso.consent_withdrawn").count() == 0


def test_the_page_shows_labels_and_local_numbers_and_wraps_its_tables(client, anh):
    """Walker #6: the codes read as their labels (the JSON keeps the codes), a score is
    written 18,33 as on the quiz pages, and each table scrolls inside its own box."""
    now = timezone.now()
    Attempt.objects.create(
        user=anh["person"], quiz=factories.quiz(questions=[]), number=1, state="graded",
        started_at=now, submitted_at=now, frozen={}, score_percent="18.33", passed=False,
    )  # fmt: skip
    ConsentRecord.objects.create(user=anh["person"], notice_version="1")
    client.force_login(anh["person"])
    html = client.get(reverse("my_data")).content.decode()
    for code in ("privacy_notice", "graded", "civil_servant", ">campaign<", "18.33"):
        assert code not in html, code
    for shown in ("Xử lý dữ liệu cá nhân", "Đã chấm", "Công chức", "18,33"):
        assert shown in html, shown
    assert html.count('class="table-wrap" tabindex="0" role="region"') >= 5
    css = Path(finders.find("cms/css/site.css")).read_text(encoding="utf-8")
    assert ".table-wrap { overflow-x: auto;" in css
    document = json.loads(client.get(reverse("my_data_download", args=["json"])).content)
    (attempt,) = document["sections"]["attempts"]["rows"]
    assert (attempt["state"], attempt["score_percent"]) == ("graded", "18.33")
