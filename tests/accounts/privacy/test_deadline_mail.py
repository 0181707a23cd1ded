"""Issue 14, privacy requests: with under 3 days left before its deadline, a request is
e-mailed to the handlers (the active superusers) once, by a daily task through the outbox;
a second run sends nothing, a later request near its deadline gets its own mail."""

import datetime as dt

from django.utils import timezone

from accounts import privacy, tasks
from accounts.models import PrivacyRequest


def made(user, kind, *, due_in: dt.timedelta) -> PrivacyRequest:
    request = privacy.privacy_request_create(user=user, kind=kind, details="Sai ngày sinh")
    PrivacyRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() + due_in)
    return request


def warned(now=None) -> int:
    return privacy.privacy_deadlines_warn(now=now)


def test_requests_near_their_deadline_are_mailed_to_the_handlers_once(
    user_factory, mailoutbox, django_capture_on_commit_callbacks
):
    admin = user_factory(is_superuser=True, is_staff=True, email="quan.tri@hocso.local")
    user_factory(is_superuser=True, is_active=False, email="nghi.viec@hocso.local")
    user_factory(is_staff=True, email="bien.tap@hocso.local")  # not a handler
    anh, binh, chi = (user_factory(full_name=n) for n in ("Trần Thị Ánh", "Lê Văn Bình", "Võ Chi"))
    near = made(anh, "delete", due_in=dt.timedelta(days=2, hours=20))
    overdue = made(binh, "correct", due_in=-dt.timedelta(days=1))
    far = made(chi, "delete", due_in=dt.timedelta(days=10))
    handled = made(chi, "correct", due_in=dt.timedelta(days=1))
    privacy.privacy_request_close(privacy_request=handled, by=admin, status="done")

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.privacy_deadlines_warn() == {"warned": 2}
    (mail,) = mailoutbox
    assert mail.to == ["quan.tri@hocso.local"]
    assert mail.subject == "HọcSố: các yêu cầu về dữ liệu sắp đến hạn"
    assert f"/admin/yeu-cau-du-lieu/{near.pk}/" in mail.body
    assert f"/admin/yeu-cau-du-lieu/{overdue.pk}/" in mail.body
    assert f"/admin/yeu-cau-du-lieu/{far.pk}/" not in mail.body
    assert f"/admin/yeu-cau-du-lieu/{handled.pk}/" not in mail.body
    assert "Xóa dữ liệu của tôi" in mail.body and "còn 2 ngày" in mail.body
    assert "Trần Thị Ánh" not in mail.body  # no name in a mail: the queue shows who
    near.refresh_from_db()
    assert near.deadline_warned_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        assert warned() == 0  # the same day again: nothing
    assert len(mailoutbox) == 1

    later = timezone.now() + dt.timedelta(days=8)
    with django_capture_on_commit_callbacks(execute=True):
        assert warned(now=later) == 1  # the far one is near now: its own mail
    assert len(mailoutbox) == 2
    assert f"/admin/yeu-cau-du-lieu/{far.pk}/" in mailoutbox[1].body
    assert f"/admin/yeu-cau-du-lieu/{near.pk}/" not in mailoutbox[1].body


def test_a_request_handled_before_the_mail_leaves_is_not_listed(
    user_factory, mailoutbox, django_capture_on_commit_callbacks
):
    admin = user_factory(is_superuser=True, is_staff=True, email="quan.tri@hocso.local")
    near = made(user_factory(), "delete", due_in=dt.timedelta(days=1))
    assert warned() == 1  # outside a captured commit: the mail task waits in the outbox
    privacy.privacy_request_close(privacy_request=near, by=admin, status="done")
    assert privacy.privacy_deadline_mail_send(request_ids=[near.pk]) == 0
    assert mailoutbox == []


def test_the_warning_runs_daily_from_the_beat_schedule():
    from cms.celery import app

    (entry,) = [
        e for e in app.conf.beat_schedule.values() if e["task"] == "accounts.privacy_deadlines_warn"
    ]
    assert entry["schedule"].hour == {8}
