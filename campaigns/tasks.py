"""Celery tasks of the campaigns floor: ids in, one service call, idempotent, retried."""

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.utils import translation

RETRY = {"autoretry_for": (ConnectionError, TimeoutError), "retry_backoff": True,
         "max_retries": 5}  # fmt: skip


@shared_task(name="campaigns.import_check", queue="default", **RETRY)
def import_check(job_id: int) -> dict:
    from campaigns.imports import import_check as check

    with translation.override(settings.LANGUAGE_CODE):
        job = check(job_id=job_id)
    return {"job": job.pk, "status": job.status, "rows": job.total_rows, "errors": job.error_rows}


@shared_task(name="campaigns.import_run", queue="default", **RETRY)
def import_run(job_id: int) -> dict:
    from campaigns.imports import import_run as run

    with translation.override(settings.LANGUAGE_CODE):
        job = run(job_id=job_id)
    return {"job": job.pk, "status": job.status, "created": job.created_count,
            "updated": job.updated_count}  # fmt: skip


@shared_task(name="campaigns.invitations_send", queue="mail", **RETRY)
def invitations_send(user_ids: list[int]) -> dict:
    """Invite imported people to set a password (one SMTP connection per batch)."""
    from campaigns.notify import invitation_messages

    with translation.override(settings.LANGUAGE_CODE):
        messages = invitation_messages(user_ids=user_ids)
        sent = get_connection().send_messages(messages) if messages else 0
    return {"sent": sent or 0}


@shared_task(name="campaigns.assignments_sync_for", queue="default", **RETRY)
def assignments_sync_for(user_ids: list[int]) -> dict:
    from campaigns.services import assignments_sync

    return {"created": assignments_sync(user_ids=user_ids)}


@shared_task(name="campaigns.assignments_sync", queue="default", **RETRY)
def assignments_sync() -> dict:
    """Periodic: assign campaigns to people who joined or moved since the last run, and
    record completions (all required courses completed)."""
    from campaigns.models import Campaign
    from campaigns.services import assignments_refresh_completion
    from campaigns.services import assignments_sync as sync

    created = sync()
    completed = sum(
        assignments_refresh_completion(campaign=c) for c in Campaign.objects.filter(is_active=True)
    )
    return {"created": created, "completed": completed}


@shared_task(name="campaigns.reminders_send", queue="mail", **RETRY)
def reminders_send() -> dict:
    from campaigns.notify import reminders_send as send

    with translation.override(settings.LANGUAGE_CODE):
        return send()


@shared_task(name="campaigns.manager_digests_send", queue="mail", **RETRY)
def manager_digests_send() -> dict:
    from campaigns.notify import manager_digests_send as send

    with translation.override(settings.LANGUAGE_CODE):
        return send()


# --- Background exports and scheduled reports (campaigns.exports) -------------------------


@shared_task(name="campaigns.report_export_build", queue="reports", **RETRY)
def report_export_build(export_id: int) -> dict:
    """Build one export's file. Idempotent: a done export is not built again; a failed one
    is built again only by a retry of a connection or timeout error."""
    from campaigns.exports import export_build

    with translation.override(settings.LANGUAGE_CODE):
        export = export_build(export_id=export_id)
    if export is None:
        return {"export": None}
    return {"export": export.pk, "status": export.status, "rows": export.rows}


@shared_task(name="campaigns.report_export_mail", queue="mail", **RETRY)
def report_export_mail(export_id: int) -> dict:
    """E-mail the download link of a done export to its owner."""
    from campaigns.exports import export_mail_send

    with translation.override(settings.LANGUAGE_CODE):
        return {"sent": export_mail_send(export_id=export_id)}


@shared_task(name="campaigns.report_subscriptions_send", queue="reports", **RETRY)
def report_subscriptions_send() -> dict:
    """Daily: e-mail scheduled reports of the latest ended month or quarter, once each."""
    from campaigns.exports import report_subscriptions_send as send

    with translation.override(settings.LANGUAGE_CODE):
        return send()


@shared_task(name="campaigns.rollups_rebuild", queue="reports", **RETRY)
def rollups_rebuild() -> dict:
    """Nightly: recompute the rollups from the raw rows (repairs any drift; needed after a
    change of REPORT_CUTOFF_DAY). Idempotent: the result depends only on the raw rows."""
    from campaigns.rollups import rollups_rebuild as rebuild

    return rebuild()
