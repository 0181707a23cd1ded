"""The Celery app. Tasks take ids, are enqueued with transaction.on_commit, are idempotent.

Without REDIS_URL, settings make every task run eagerly in-process (the demo); with it,
tasks go to Redis and a worker: `celery -A cms worker -Q default,media,reports,certificates,mail`.
All periodic schedules live here (beat_schedule), in one place.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")

app = Celery("hocso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic schedules (reminders, rollups, scheduled reports) are added here as they land.
app.conf.beat_schedule = {
    # The transactional outbox: send again the tasks a dead broker refused (cms/outbox.py).
    "cms-outbox-sweep": {
        "task": "cms.outbox_sweep",
        "schedule": 60.0,
    },
    # Campaigns: assign campaigns to people who joined or moved, record completions (hourly).
    "campaigns-assignments-sync": {
        "task": "campaigns.assignments_sync",
        "schedule": crontab(minute=15),
    },
    # Campaigns: rebuild the dashboards' rollups from the raw rows (nightly repair; the
    # services keep them current during the day).
    "campaigns-rollups-rebuild": {
        "task": "campaigns.rollups_rebuild",
        "schedule": crontab(hour=2, minute=0),
    },
    # Campaigns: the dashboards' figures, a snapshot read afresh before it expires (every
    # 4 minutes; a page shows when it was read: campaigns.reporting.aggregates).
    "campaigns-dashboard-snapshot": {
        "task": "campaigns.dashboard_snapshot",
        "schedule": 240.0,
    },
    # Uploads: queue again the H5P and SCORM packages still waiting for their check (the
    # virus scanner down longer than the task's retries, a killed worker); never served
    # meanwhile (assessments.scorm.services.packages_requeue).
    "scorm-packages-requeue": {
        "task": "scorm.packages_requeue",
        "schedule": crontab(minute="*/15"),
    },
    # Campaigns: fail learner imports stuck while checking or importing (a killed worker)
    # after CAMPAIGNS_IMPORT_STUCK_MINUTES without progress, with the reason.
    "campaigns-import-jobs-sweep": {
        "task": "campaigns.import_jobs_sweep",
        "schedule": crontab(minute="*/10"),
    },
    # Campaigns: learner reminders 7 days / 1 day before the due date and when overdue.
    "campaigns-reminders": {
        "task": "campaigns.reminders_send",
        "schedule": crontab(hour=7, minute=0),
    },
    # Campaigns: managers' weekly digest of their overdue people (Monday morning).
    "campaigns-manager-digests": {
        "task": "campaigns.manager_digests_send",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    # Campaigns: scheduled reports of the month or quarter just ended, e-mailed once each
    # (daily, so a missed day catches up; last_sent_period keeps it to one per period).
    "campaigns-report-subscriptions": {
        "task": "campaigns.report_subscriptions_send",
        "schedule": crontab(hour=6, minute=30),
    },
    # Privacy: purge exports, import rows and files, raw xAPI statements, notices and audit
    # entries older than their periods (settings.RETENTION_DAYS; campaigns/retention.py).
    "campaigns-retention-purge": {
        "task": "campaigns.retention_purge",
        "schedule": crontab(hour=3, minute=30),
    },
    # Privacy: the handlers are e-mailed once about each request with under 3 days left
    # (accounts.privacy.privacy_deadlines_warn; daily, so a missed day catches up).
    "accounts-privacy-deadlines": {
        "task": "accounts.privacy_deadlines_warn",
        "schedule": crontab(hour=8, minute=0),
    },
}
