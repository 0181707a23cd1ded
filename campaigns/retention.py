"""Retention (issue 14): personal data kept no longer than needed. One daily task
(`campaigns.retention_purge`, beat in cms/celery.py) purges, each after its own period in
settings.RETENTION_DAYS (the privacy notice lists them):

- "exports": background export files and their rows (campaigns.reporting.exports);
- "imports": an import's staged rows and its uploaded file (the job row stays: counts, the
  audit log points at it); a job never run is closed as failed;
- "xapi_statements": raw xAPI statements relayed by H5P (results are kept elsewhere);
- "packages": refused or replaced H5P and SCORM uploads, with their extracted files
  (assessments.package_retention; the refused package's row and reasons stay);
- "notices": the bell's notices;
- "audit": the personal-data audit log's entries (cms.audit).

Every purge is idempotent (a second run finds nothing) and deletes in bounded batches, so
a run that dies half-way is finished by the next one. Campaigns sits on the top floor, so
this module may call every floor's purge.
"""

import contextlib
import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.package_retention import package_uploads_purge
from assessments.privacy import statements_older_than
from campaigns.models import ImportJob, ImportRow, Notice, ReportExport
from cms import audit
from cms.storage import object_store

BATCH = 5_000  # rows per DELETE: short transactions, a bounded amount of work each


def _delete_in_batches(queryset) -> int:
    deleted = 0
    while ids := list(queryset.values_list("pk", flat=True)[:BATCH]):
        count, _kinds = queryset.model.objects.filter(pk__in=ids).delete()
        deleted += count
    return deleted


def _export_file_delete(name: str) -> None:
    store = object_store("reports")
    if store is not None:
        store.delete(name)
        return
    root = Path(settings.REPORTS_DIR).resolve()
    path = (root / name).resolve()
    if path.parent == root:  # never a name that would leave REPORTS_DIR
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def exports_purge(*, before: dt.datetime) -> int:
    """Export rows (any status) made before `before`, with their files."""
    old = ReportExport.objects.filter(created_at__lt=before).exclude(
        status=ReportExport.Status.RUNNING
    )
    purged = 0
    while batch := list(old.values_list("pk", "file_name")[:BATCH]):
        for _pk, name in batch:
            if name:
                _export_file_delete(name)
        ReportExport.objects.filter(pk__in=[pk for pk, _name in batch]).delete()
        purged += len(batch)
    return purged


def imports_purge(*, before: dt.datetime) -> int:
    """Staged rows and uploaded files of import jobs last touched before `before` (not
    one being checked or run). Returns the number of jobs purged."""
    busy = (ImportJob.Status.VALIDATING, ImportJob.Status.RUNNING)
    stale = ImportJob.objects.filter(updated_at__lt=before).exclude(status__in=busy)
    purged = 0
    jobs = list(stale.filter(rows__isnull=False).distinct().values_list("pk", flat=True))
    jobs += list(stale.exclude(file="").values_list("pk", flat=True))
    for job_id in sorted(set(jobs)):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            _delete_in_batches(ImportRow.objects.filter(job=job))
            if job.file.name:
                name, storage = job.file.name, job.file.storage
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
            fields = {"file": ""}
            if job.status not in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
                fields["status"] = ImportJob.Status.FAILED  # never run: it can no longer be
                fields["message"] = _(
                    "Expired: the file and its rows were deleted after %(days)s days."
                ) % {"days": settings.RETENTION_DAYS["imports"]}
            ImportJob.objects.filter(pk=job.pk).update(**fields)
        purged += 1
    return purged


def retention_purge(*, now: dt.datetime | None = None) -> dict:
    """Every purge with its period (settings.RETENTION_DAYS, days). Returns the counts."""
    now = now or timezone.now()
    days = settings.RETENTION_DAYS

    def before(key: str) -> dt.datetime:
        return now - dt.timedelta(days=days[key])

    return {
        "exports": exports_purge(before=before("exports")),
        "imports": imports_purge(before=before("imports")),
        "xapi_statements": _delete_in_batches(statements_older_than(before("xapi_statements"))),
        "packages": package_uploads_purge(before=before("packages")),
        "notices": _delete_in_batches(Notice.objects.filter(created_at__lt=before("notices"))),
        "audit": _delete_in_batches(audit.audit_entries_older_than(before("audit"))),
    }
