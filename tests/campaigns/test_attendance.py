import datetime as dt

import segno  # noqa: F401 - the QR page renders with it
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Attendance, Session
from campaigns.views import attendance_token


def make_session(agency, start, hours=2):
    return Session.objects.create(
        kind=Session.Kind.TRAINING_CLASS, title="Lớp tập huấn VNeID", place="Hội trường UBND",
        starts_at=start, ends_at=start + dt.timedelta(hours=hours), agency=agency,
    )  # fmt: skip


def test_qr_attendance_inside_the_window(tree, learner_in, client):
    session = make_session(tree["snv"], timezone.now() - dt.timedelta(minutes=10))
    user = learner_in(tree["snv"])
    url = reverse("campaigns:attend", args=[attendance_token(session)])
    assert client.get(url).status_code == 302  # must log in first
    client.force_login(user)
    assert "Tôi có mặt" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 200
    assert Attendance.objects.get(session=session, user=user).method == "qr"
    client.post(url)  # twice: still one
    assert Attendance.objects.count() == 1


def test_qr_attendance_outside_the_window_is_refused(tree, learner_in, client):
    user = learner_in(tree["snv"])
    client.force_login(user)
    past = make_session(tree["snv"], timezone.now() - dt.timedelta(hours=5))
    future = make_session(tree["snv"], timezone.now() + dt.timedelta(hours=3))
    for session in (past, future):
        response = client.post(reverse("campaigns:attend", args=[attendance_token(session)]))
        assert response.status_code == 410
        assert "đã đóng" in response.content.decode()
    assert not Attendance.objects.exists()
    forged = attendance_token(past)[:-3] + "abc"
    assert client.get(reverse("campaigns:attend", args=[forged])).status_code == 404


def test_qr_page_and_roster_upload_for_the_manager(tree, learner_in, manager_of, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    session = make_session(tree["snv"], timezone.now())
    present = learner_in(tree["unit"], name="Có Mặt", employee_code="CB-9")
    outsider = learner_in(tree["syt"], name="Người Ngoài")
    client.force_login(manager_of(tree["snv"]))
    html = client.get(reverse("campaigns:session", args=[session.pk])).content.decode()
    assert "<svg" in html and "/quan-ly/diem-danh/" in html
    roster = SimpleUploadedFile("ds.csv", f"CB-9\n{outsider.email}\nkhong-ai\n".encode())
    client.post(reverse("campaigns:session_roster", args=[session.pk]), {"file": roster})
    assert list(Attendance.objects.values_list("user_id", flat=True)) == [present.pk]
    # Attendance counts as participation on the dashboard, under the session's agency.
    html = client.get(reverse("campaigns:dashboard")).content.decode()
    row = html[html.index('data-agency="SNV"') :]
    assert row[: row.index("</tr>")].rstrip().endswith("<td>1</td>")  # the last column
