import datetime as dt

from django.core import mail
from django.utils import timezone

from campaigns import notify, services
from campaigns.models import (
    Assignment,
    ManagerDigest,
    Notice,
    Reminder,
)
from cms.vocabularies import Subgroup


def test_assignment_matches_audience_and_agency_and_is_idempotent(campaign, tree, learner_in):
    inside = learner_in(tree["unit"], name="Công Chức Trong")
    citizen = learner_in(tree["unit"], name="Người Dân", audience=Subgroup.CITIZEN)
    outside = learner_in(tree["syt"], name="Công Chức Ngoài")
    assert services.campaign_assign(campaign=campaign) == 1
    assert services.campaign_assign(campaign=campaign) == 0
    assigned = set(Assignment.objects.values_list("user_id", flat=True))
    assert assigned == {inside.pk}
    assert citizen.pk not in assigned and outside.pk not in assigned
    due = Assignment.objects.get().due_at
    assert timezone.localtime(due).date() == campaign.due_on


def test_people_who_move_in_later_are_assigned_by_the_periodic_task(campaign, tree, learner_in):
    from campaigns.tasks import assignments_sync

    mover = learner_in(tree["syt"], name="Người Chuyển Đến")
    assignments_sync.delay()
    assert not Assignment.objects.filter(user=mover).exists()
    services.learner_profile_set(user=mover, agency=tree["snv"], audience="civil_servant")
    result = assignments_sync.delay().get()
    assert result["created"] == 1
    assert Assignment.objects.filter(user=mover, campaign=campaign).exists()


def _assignment(campaign, user, due_in):
    return Assignment.objects.create(campaign=campaign, user=user, due_at=timezone.now() + due_in)


def test_reminders_are_sent_once_per_kind(campaign, tree, learner_in):
    week = _assignment(campaign, learner_in(tree["snv"], name="Bảy Ngày"), dt.timedelta(days=6))
    day = _assignment(campaign, learner_in(tree["snv"], name="Một Ngày"), dt.timedelta(hours=20))
    late = _assignment(campaign, learner_in(tree["snv"], name="Quá Hạn"), -dt.timedelta(days=2))
    far = _assignment(campaign, learner_in(tree["snv"], name="Còn Xa"), dt.timedelta(days=20))
    done = _assignment(campaign, learner_in(tree["snv"], name="Đã Xong"), dt.timedelta(days=1))
    done.completed_at = timezone.now()
    done.save()
    first = notify.reminders_send()
    assert first == {"overdue": 1, "due_1": 1, "due_7": 1}
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {a.user.email for a in (week, day, late)}
    assert Notice.objects.filter(user=late.user).count() == 1
    # Running again (a retried or doubled beat) sends nothing more.
    assert notify.reminders_send() == {"overdue": 0, "due_1": 0, "due_7": 0}
    assert len(mail.outbox) == 3
    assert Reminder.objects.count() == 3
    assert not Reminder.objects.filter(assignment__in=[far, done]).exists()
    # A day later the 7-day one is due tomorrow: a new kind, sent once.
    later = notify.reminders_send(now=timezone.now() + dt.timedelta(days=5, hours=12))
    assert later["due_1"] == 1 and later["overdue"] == 1  # `day` is now overdue


def test_reminder_row_is_the_idempotency_key(campaign, tree, learner_in):
    a = _assignment(campaign, learner_in(tree["snv"]), -dt.timedelta(days=1))
    Reminder.objects.create(assignment=a, kind=Reminder.Kind.OVERDUE)  # sent by another run
    assert notify.reminders_send()["overdue"] == 0
    assert not mail.outbox


def test_weekly_digest_lists_only_own_overdue_people_once(campaign, tree, learner_in, manager_of):
    manager = manager_of(tree["snv"])
    _assignment(campaign, learner_in(tree["unit"], name="Trễ Hạn Trong"), -dt.timedelta(days=3))
    _assignment(campaign, learner_in(tree["syt"], name="Trễ Hạn Ngoài"), -dt.timedelta(days=3))
    assert notify.manager_digests_send() == {"digests": 1}
    (message,) = mail.outbox
    assert message.to == [manager.email]
    assert "Trễ Hạn Trong" in message.body and "Trễ Hạn Ngoài" not in message.body
    assert notify.manager_digests_send() == {"digests": 0}
    assert ManagerDigest.objects.get().overdue_count == 1


def test_headline_counts(campaign, tree, learner_in):
    from django.core.cache import cache

    from campaigns.selectors import campaign_headline_cached

    cache.clear()
    a = _assignment(campaign, learner_in(tree["snv"]), dt.timedelta(days=3))
    services.headcount_set(agency=tree["snv"], audience="civil_servant", count=1)
    services.assignment_mark_completed(assignment=a, completed_at=timezone.now())
    stats = campaign_headline_cached()
    # Completions on the home page are course completions (beside certificates, per
    # course): a campaign marked completed without a course completion adds none.
    assert stats == {"learners": 1, "completions": 0, "certificates": stats["certificates"],
                     "agencies_at_target": 1}  # fmt: skip


def test_a_phone_only_learner_gets_the_notice_and_the_others_their_mail(campaign, tree, learner_in):
    """Since phone log-in (issue 20) a person may have no e-mail: reminders, manual ones
    and invitations skip the mail for them (the whole batch failed on `"@" in None`)."""
    with_mail = _assignment(campaign, learner_in(tree["snv"], name="Có Thư"), -dt.timedelta(days=2))
    phone_only = learner_in(tree["snv"], name="Chỉ Điện Thoại", email=None, phone="0912000111")
    no_mail = _assignment(campaign, phone_only, -dt.timedelta(days=2))
    assert notify.reminders_send()["overdue"] == 2
    assert [m.to for m in mail.outbox] == [[with_mail.user.email]]
    assert Notice.objects.filter(user=no_mail.user, kind=Notice.Kind.REMINDER).count() == 1
    Notice.objects.all().delete()
    assert notify.manual_reminders_send(assignments=Assignment.objects.all()) == 2
    assert len(mail.outbox) == 2
    assert notify.invitation_messages(user_ids=[phone_only.pk]) == []
