"""Celery tasks of the campaigns floor: ids in, one service call, idempotent, retried
(cms.tasking: a connection error or timeout, 5 times with backoff; `site_language`: the
body runs in the site's language).

Most tasks import their service inside: those services import this module to send tasks
(a real cycle, the one place where campaigns keeps function-level imports of its own code).
"""

from django.core.mail import get_connection

from campaigns.models import Campaign
from campaigns.reporting.rollups import rollups_rebuild as rebuild
from campaigns.retention import retention_purge as purge
from cms.tasking import task


def _mails_send(messages) -> dict:
    """A batch of e-mails through one SMTP connection."""
    sent = get_connection().send_messages(messages) if messages else 0
    return {"sent": sent or 0}


@task("campaigns.import_check", queue="default", site_language=True)
def import_check(job_id: int) -> dict:
    from campaigns.agencies.imports import import_check as check

    job = check(job_id=job_id)
    return {"job": job.pk, "status": job.status, "rows": job.total_rows, "errors": job.error_rows}


@task("campaigns.import_run", queue="default", site_language=True)
def import_run(job_id: int) -> dict:
    from campaigns.agencies.imports import import_run as run

    job = run(job_id=job_id)
    return {"job": job.pk, "status": job.status, "created": job.created_count,
            "updated": job.updated_count}  # fmt: skip


@task("campaigns.import_jobs_sweep", queue="default", site_language=True)
def import_jobs_sweep() -> dict:
    """Periodic: fail import jobs stuck while checking or importing, with the reason."""
    from campaigns.agencies.imports import import_jobs_fail_stuck

    return {"failed": import_jobs_fail_stuck()}


@task("campaigns.email_change_confirmations_send", queue="mail", site_language=True)
def email_change_confirmations_send(change_ids: list[int]) -> dict:
    """Ask the owners of the old addresses to confirm an import's e-mail changes."""
    from campaigns.agencies.email_changes import email_change_messages

    return _mails_send(email_change_messages(change_ids=change_ids))


@task("campaigns.invitations_send", queue="mail", site_language=True)
def invitations_send(user_ids: list[int]) -> dict:
    """Invite imported people to set a password (one SMTP connection per batch)."""
    from campaigns.notify import invitation_messages

    return _mails_send(invitation_messages(user_ids=user_ids))


@task("campaigns.assignments_sync_for", queue="default")
def assignments_sync_for(user_ids: list[int]) -> dict:
    from campaigns.services import assignments_sync

    return {"created": assignments_sync(user_ids=user_ids)}


@task("campaigns.assignments_sync", queue="default")
def assignments_sync() -> dict:
    """Periodic: assign campaigns to people who joined or moved since the last run, and
    record completions (all required courses completed)."""
    from campaigns.services import assignments_refresh_completion
    from campaigns.services import assignments_sync as sync

    created = sync()
    completed = sum(
        assignments_refresh_completion(campaign=c) for c in Campaign.objects.filter(is_active=True)
    )
    return {"created": created, "completed": completed}


@task("campaigns.reminders_send", queue="mail", site_language=True)
def reminders_send() -> dict:
    from campaigns.notify import reminders_send as send

    return send()


@task("campaigns.manager_digests_send", queue="mail", site_language=True)
def manager_digests_send() -> dict:
    from campaigns.notify import manager_digests_send as send

    return send()


# --- Background exports and scheduled reports (campaigns.reporting.exports) -----------


@task("campaigns.report_export_build", queue="reports", site_language=True)
def report_export_build(export_id: int) -> dict:
    """Build one export's file. Idempotent: a done export is not built again; a failed one
    is built again only by a retry of a connection or timeout error."""
    from campaigns.reporting.exports import export_build

    export = export_build(export_id=export_id)
    if export is None:
        return {"export": None}
    return {"export": export.pk, "status": export.status, "rows": export.rows}


@task("campaigns.report_export_mail", queue="mail", site_language=True)
def report_export_mail(export_id: int) -> dict:
    """E-mail the download link of a done export to its owner."""
    from campaigns.reporting.exports import export_mail_send

    return {"sent": export_mail_send(export_id=export_id)}


@task("campaigns.report_subscriptions_send", queue="reports", site_language=True)
def report_subscriptions_send() -> dict:
    """Daily: e-mail scheduled reports of the latest ended month or quarter, once each."""
    from campaigns.reporting.exports import report_subscriptions_send as send

    return send()


@task("campaigns.rollups_rebuild", queue="reports")
def rollups_rebuild() -> dict:
    """Nightly: recompute the rollups from the raw rows (repairs any drift; needed after a
    change of REPORT_CUTOFF_DAY). Idempotent: the result depends only on the raw rows."""
    return rebuild()


@task("campaigns.dashboard_snapshot", queue="reports")
def dashboard_snapshot() -> dict:
    """Every few minutes (SNAPSHOT_REFRESH_SECONDS): read afresh the sums every dashboard
    starts from, before the snapshot a manager's page reads expires (so a page never waits
    for the province's rollup rows). Idempotent: it only reads."""
    from campaigns.reporting.aggregates import snapshot_refresh

    return snapshot_refresh()


@task("campaigns.retention_purge", queue="default", site_language=True)
def retention_purge() -> dict:
    """Daily: purge what is kept no longer than settings.RETENTION_DAYS (issue 14: export
    files, import rows and files, raw xAPI statements, notices, audit entries). Idempotent."""
    return purge()
