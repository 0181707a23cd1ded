"""Background exports (the learners-and-courses file, big period reports) and scheduled
period reports sent by e-mail.

Use `export_request` when a manager asks for a file (the view checks the agency with
`selectors.visible_agency_or_404` first); the Celery task `campaigns.report_export_build`
calls `export_build`, which writes the file into settings.REPORTS_DIR. Use
`subscription_set` / `subscription_cancel` for the scheduled reports and
`report_subscriptions_send` from the daily beat task.

Scope: every read of learner data goes through `selectors.agencies_visible_to` (the scoping
chokepoint), when the export is requested *and* again when it is built, since a manager may
lose a role in between. Files are written to a temporary name in REPORTS_DIR and renamed
(`os.replace`, atomic on one file system) only when complete, so a half-written file never
has the final name; a failed build leaves no file behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import courses_bridge, selectors, services, tasks
from campaigns.models import Campaign, ReportExport, ReportSubscription
from campaigns.reporting import aggregates, periods, report_files
from cms.audit import audit_record
from cms.net import absolute_url
from cms.outbox import task_send
from cms.storage import object_store, store_file
from cms.vocabularies import Subgroup

logger = logging.getLogger(__name__)

PARAMS_VERSION = 1
# The formats each kind of export may be asked in (the people file has no PDF: a PDF of
# a hundred thousand rows helps no one).
FORMATS = {
    ReportExport.Kind.REPORT: ("xlsx", "csv", "pdf"),
    ReportExport.Kind.DETAIL: ("xlsx", "csv"),
}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}
# Enrolment rows fetched at a time by the people export, and the size of the one
# certificates query made per chunk: memory stays flat whatever the number of learners.
DETAIL_CHUNK = 2000
# A build still "running" after this long lost its worker (killed, redeployed): it may be
# claimed again. Longer than any build takes (a million rows of XLSX takes minutes).
STALE_RUNNING = dt.timedelta(hours=2)
# Errors worth a retry (the task retries them with backoff); anything else fails for good.
RETRYABLE = (ConnectionError, TimeoutError)

# The glossary's state words (campaigns.courses_bridge, docs/glossary.md).
STATUS_NOT_STARTED = courses_bridge.STATUS_LABELS[courses_bridge.NOT_STARTED]
STATUS_IN_PROGRESS = courses_bridge.STATUS_LABELS[courses_bridge.IN_PROGRESS]
STATUS_COMPLETED = courses_bridge.STATUS_LABELS[courses_bridge.COMPLETED]
STATUS_CERTIFIED = courses_bridge.CERTIFIED_LABEL


class ExportRefused(Exception):
    """A build that must not go ahead; `str(error)` is translated, shown to the manager."""


def _agency_visible(user, agency_id: int) -> bool:
    return selectors.agencies_visible_to(user).filter(pk=agency_id).exists()


# --- Parameters ---------------------------------------------------------------------------


def export_params_clean(params: dict) -> dict:
    """The export parameters, checked and normalised to version 1 (see ReportExport)."""
    if not isinstance(params, dict) or params.get("version", PARAMS_VERSION) != PARAMS_VERSION:
        raise ValidationError(_("These export settings are not understood."))
    try:
        period = periods.period_from_slug(str(params.get("period", "")))
    except periods.PeriodError as exc:
        raise ValidationError(str(exc)) from None
    campaign = params.get("campaign")
    if campaign is not None and (
        isinstance(campaign, bool)
        or not isinstance(campaign, int)
        or not Campaign.objects.filter(pk=campaign).exists()
    ):
        raise ValidationError(_("This campaign does not exist."))
    depth = params.get("depth", 1)
    if depth not in (1, 2) or isinstance(depth, bool):
        raise ValidationError(_("A report shows one or two levels below the agency."))
    return {"version": PARAMS_VERSION, "period": period.slug, "campaign": campaign, "depth": depth}


def export_period(export: ReportExport) -> periods.Period | None:
    """The period an export covers (None if its parameters no longer parse)."""
    try:
        return periods.period_from_slug(str(export.params.get("period", "")))
    except periods.PeriodError:
        return None


def export_download_name(export: ReportExport) -> str:
    """The name the browser saves the file under, e.g. "hoc-vien-SNV-2026-m10.xlsx"."""
    prefix = "hoc-vien" if export.kind == ReportExport.Kind.DETAIL else "bao-cao"
    period = export.params.get("period", "") or "file"
    return f"{prefix}-{export.agency.code}-{period}.{export.fmt}"


def export_open(export: ReportExport):
    """The finished file of a done export, opened for reading (binary), or None (not done,
    missing, or a name that would leave REPORTS_DIR). With an object store for reports
    (S3_BUCKET), the file is read from there: the worker that built it may be elsewhere."""
    if export.status != ReportExport.Status.DONE or not export.file_name:
        return None
    root = Path(settings.REPORTS_DIR).resolve()
    path = (root / export.file_name).resolve()
    if path.parent != root:
        return None
    store = object_store("reports")
    if store is not None:
        return store.open(export.file_name, "rb") if store.exists(export.file_name) else None
    return path.open("rb") if path.is_file() else None


def _subject(campaign_id: int | None) -> aggregates.Subject:
    """An export's subject: None is every course; a campaign (active or not) by its id."""
    if campaign_id is None:
        return aggregates.Subject.of(None)
    found = Campaign.objects.prefetch_related("courses", "audiences").filter(pk=campaign_id)
    try:
        return aggregates.subject_chosen(campaign_id, list(found), fallback=False)
    except aggregates.UnknownCampaign:
        raise ExportRefused(_("The campaign of this export no longer exists.")) from None


# --- Requesting and building an export ----------------------------------------------------


def export_request(*, user, agency, kind: str, fmt: str, params: dict) -> ReportExport:
    """Record a manager's request for a file and enqueue its build after commit.

    Raises PermissionDenied if the agency is outside the user's scope (views check it first
    and answer 404) and ValidationError for an unknown kind, a format the kind does not
    offer or parameters that do not parse."""
    if not _agency_visible(user, agency.pk):
        raise PermissionDenied
    if kind not in FORMATS:
        raise ValidationError(_("Unknown kind of export."))
    if fmt not in FORMATS[kind]:
        raise ValidationError(_("This file format is not offered for this export."))
    export = ReportExport(
        user=user, agency=agency, kind=kind, fmt=fmt, params=export_params_clean(params)
    )
    with transaction.atomic():
        export.save()
        task_send(tasks.report_export_build, [export.pk], queue="reports")
    return export


def _claim(export_id: int) -> bool:
    """Pending or failed (a retry) → running, or a running build left stale: one worker
    wins (a conditional UPDATE); a done export is never built again."""
    now = timezone.now()
    return bool(
        ReportExport.objects.filter(
            Q(status__in=[ReportExport.Status.PENDING, ReportExport.Status.FAILED])
            | Q(status=ReportExport.Status.RUNNING, updated_at__lt=now - STALE_RUNNING),
            pk=export_id,
        ).update(status=ReportExport.Status.RUNNING, error="", updated_at=now)
    )


def export_build(*, export_id: int) -> ReportExport | None:
    """Build the export's file (the task's one service call). Idempotent: only the worker
    that claims the row builds; a done export is returned as it is.

    On any error the temporary file is removed and the export marked failed with a message
    for the manager; errors worth a retry (RETRYABLE) are raised again for the task."""
    claimed = _claim(export_id)
    export = ReportExport.objects.select_related("user", "agency").filter(pk=export_id).first()
    if export is None or not claimed:
        return export
    root = Path(settings.REPORTS_DIR)
    final = root / f"export-{export.pk}.{export.fmt}"
    temp_name = None
    try:
        if not _agency_visible(export.user, export.agency_id):
            raise ExportRefused(_("You are no longer allowed to see this agency's data."))
        root.mkdir(parents=True, exist_ok=True)
        # A hidden name in the same folder: os.replace is then a rename, atomic.
        fd, temp_name = tempfile.mkstemp(dir=root, prefix=f".export-{export.pk}-", suffix=".part")
        with os.fdopen(fd, "wb") as fileobj:
            rows = _write(export, fileobj)
            fileobj.flush()
            os.fsync(fileobj.fileno())
        os.replace(temp_name, final)
        temp_name = None
        store = object_store("reports")
        if store is not None:  # shared with the web machines; the local copy was work space
            store_file(store, final, final.name)
            final.unlink()
        _mark_done(export, file_name=final.name, rows=rows)
    except Exception as exc:
        if temp_name is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
        with contextlib.suppress(FileNotFoundError):
            final.unlink()  # renamed but not recorded as done: never left to be served
        if isinstance(exc, ExportRefused):
            message = str(exc)
        else:
            logger.exception("Report export %s failed", export.pk)
            message = _("The file could not be prepared (%(error)s). Please try again later.") % {
                "error": type(exc).__name__
            }
        ReportExport.objects.filter(pk=export.pk).update(
            status=ReportExport.Status.FAILED, error=message, file_name="", rows=0,
            finished_at=timezone.now(), updated_at=timezone.now(),
        )  # fmt: skip
        if isinstance(exc, RETRYABLE):
            raise
    export.refresh_from_db()
    return export


def _write(export: ReportExport, fileobj) -> int:
    """Write the file; returns the number of data rows. Writers are looked up on the
    module at call time (tests replace one to fail midway)."""
    params = export.params
    period = periods.period_from_slug(params["period"])
    subject = _subject(params.get("campaign"))
    if export.kind == ReportExport.Kind.REPORT:
        with aggregates.fresh_figures():  # not the pages' snapshot: built in the background
            table = report_table(
                agency=export.agency, subject=subject, period=period,
                depth=params.get("depth", 1), signer=export.user,
            )  # fmt: skip
        if export.fmt == "csv":
            for chunk in report_files.report_csv(table):
                fileobj.write(chunk.encode("utf-8"))
        elif export.fmt == "xlsx":
            report_files.report_xlsx(table, fileobj)
        else:
            report_files.report_pdf(table, fileobj)
        return len(table.lines)
    lines = _Counted(
        detail_lines(user=export.user, agency=export.agency, subject=subject, period=period)
    )
    if export.fmt == "csv":
        for chunk in report_files.detail_csv(lines):
            fileobj.write(chunk.encode("utf-8"))
    else:
        report_files.detail_xlsx(lines, fileobj, title=export.agency.name)
    return lines.count


class _Counted:
    """An iterable that counts what went through it."""

    def __init__(self, items: Iterable):
        self.items = items
        self.count = 0

    def __iter__(self):
        for item in self.items:
            self.count += 1
            yield item


def _what(export: ReportExport) -> str:
    """The export in a sentence: "Learners and courses, Sở Nội vụ, Tháng 10/2026 (XLSX)"."""
    period = export_period(export)
    return _("%(kind)s, %(agency)s, %(period)s (%(format)s)") % {
        "kind": export.get_kind_display(),
        "agency": export.agency.name,
        "period": period.label if period else export.params.get("period", ""),
        "format": export.fmt.upper(),
    }


def _mark_done(export: ReportExport, *, file_name: str, rows: int) -> None:
    """Done, with an in-app notice; the e-mail goes on the mail queue after commit."""
    now = timezone.now()
    with transaction.atomic():
        ReportExport.objects.filter(pk=export.pk).update(
            status=ReportExport.Status.DONE, file_name=file_name, rows=rows, error="",
            finished_at=now, updated_at=now,
        )  # fmt: skip
        services.notice_create(
            user_id=export.user_id,
            message=_("Your file is ready: %(what)s.") % {"what": _what(export)},
            url=reverse("campaigns:exports"),
        )
        task_send(tasks.report_export_mail, [export.pk], queue="mail")


def export_mail_send(*, export_id: int) -> int:
    """E-mail the owner of a done export the download link. Returns messages sent."""
    export = (
        ReportExport.objects.select_related("user", "agency")
        .filter(pk=export_id, status=ReportExport.Status.DONE)
        .first()
    )
    if export is None or not export.user.is_active or "@" not in export.user.email:
        return 0
    link = absolute_url(reverse("campaigns:export_download", kwargs={"export_id": export.pk}))
    body = _(
        "Hello %(name)s,\n\nThe file you asked for is ready: %(what)s.\n\nDownload it here "
        "(sign in with this account first):\n%(link)s"
    ) % {"name": export.user.full_name, "what": _what(export), "link": link}
    return EmailMessage(_("Your report is ready"), body, to=[export.user.email]).send()


# --- What the files hold ------------------------------------------------------------------


def report_table(
    *, agency, subject, period, depth: int = 1, signer=None
) -> report_files.ReportTable:
    """The period report of an agency subtree as a table for the writers (rollups only).
    `signer`: the person who asked for a file (its Decree 30 heading and signature block
    then name them, the agency's parent and the place; the page needs none: one query
    less)."""
    parent = agency.get_parent() if signer is not None else None
    # Made now, before the read: figures read now are never "earlier" than the file.
    generated_at = timezone.now()
    with aggregates.figures_times() as times:  # (the rollups' snapshot: when it was read)
        lines = aggregates.report_lines(subject=subject, root=agency, period=period, depth=depth)
    return report_files.ReportTable(
        parent_name=parent.name if parent else "",
        place=settings.CAMPAIGNS_REPORT_PLACE,
        signer_name=getattr(signer, "full_name", "") or "",
        title=_("Digital skills learning report"),
        agency_name=agency.name, period_label=period.label, period_start=period.start,
        period_end=period.end, generated_at=generated_at,
        campaign_name=subject.campaign.name if subject.campaign else "",
        lines=lines, figures_at=aggregates.figures_at(times),
    )  # fmt: skip


def _status(*, completed_at, lessons_done, percent, certified_at) -> str:
    if certified_at is not None:
        return str(STATUS_CERTIFIED)
    if completed_at is not None:
        return str(STATUS_COMPLETED)
    if lessons_done or percent:
        return str(STATUS_IN_PROGRESS)
    return str(STATUS_NOT_STARTED)


def _local_day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def _period_bounds(period) -> tuple[dt.datetime, dt.datetime]:
    """The first and the last instant of `period` (both ends inclusive, local days)."""
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    return start, end


def detail_lines(
    *, user, agency, subject: aggregates.Subject, period=None, chunk_size: int = DETAIL_CHUNK
) -> Iterator[report_files.DetailLine]:
    """One line per (learner, course) for the current learners of `agency`'s subtree that
    `user` may see: the campaign's required courses for its assigned people, or every
    course without a campaign. Enrolments still open or completed count (as in the
    rollups). Streams: the enrolments are read `chunk_size` at a time, with one
    certificates query per chunk. Queries: role roots 1 (memoised on the user), course
    titles 1, enrolments 1, certificates 1 per chunk.

    With a `period`, the file is that period's: only enrolments made by its end, and each
    status as it stood at its end (a completion or certificate after it is not shown)."""
    visible = selectors.agencies_visible_to(user).filter(path__startswith=agency.path)
    period_end = _period_bounds(period)[1] if period is not None else None
    campaign = subject.campaign
    rows = courses_bridge.detail_enrolments(
        agencies=visible, enrolled_before=period_end, campaign=campaign,
        course_ids=subject.course_ids,
    )  # fmt: skip
    titles = courses_bridge.course_titles(subject.course_ids if campaign is not None else None)
    audiences = dict(Subgroup.choices)
    stream = rows.iterator(chunk_size=chunk_size)
    while chunk := list(islice(stream, chunk_size)):
        certified = courses_bridge.certificates_issued(
            user_ids={r[0] for r in chunk}, course_ids={r[1] for r in chunk}
        )
        for (user_id, course_id, full_name, email, agency_name, agency_code, audience,
             enrolled_at, completed_at, lessons_done, percent) in chunk:  # fmt: skip
            certified_at = certified.get((user_id, course_id))
            if period_end is not None:  # as it stood at the period's end
                if completed_at is not None and completed_at >= period_end:
                    completed_at = None
                if certified_at is not None and certified_at >= period_end:
                    certified_at = None
            yield report_files.DetailLine(
                full_name=full_name,
                email=email,
                agency_name=agency_name,
                agency_code=agency_code,
                audience_label=str(audiences.get(audience, audience)),
                course_title=titles.get(course_id, ""),
                status_label=_status(
                    completed_at=completed_at,
                    lessons_done=lessons_done,
                    percent=percent,
                    certified_at=certified_at,
                ),  # fmt: skip
                enrolled_on=_local_day(enrolled_at),
                completed_on=_local_day(completed_at),
                certified_on=_local_day(certified_at),
            )


# --- Scheduled reports --------------------------------------------------------------------


def subscription_set(
    *, user, agency, kind: str, fmt: str, campaign: Campaign | None = None
) -> ReportSubscription:
    """Subscribe `user` to the month or quarter report of `agency` (a visible one), or
    change the format of an existing subscription; a cancelled one is switched back on."""
    if not _agency_visible(user, agency.pk):
        raise PermissionDenied
    if kind not in ReportSubscription.Kind.values:
        raise ValidationError(_("Choose a monthly or a quarterly report."))
    if fmt not in ReportSubscription.Format.values:
        raise ValidationError(_("This file format is not offered for this export."))
    subscription, _created = ReportSubscription.objects.update_or_create(
        user=user, agency=agency, campaign=campaign, kind=kind,
        defaults={"fmt": fmt, "active": True},
    )  # fmt: skip
    return subscription


def subscription_cancel(*, user, subscription_id: int) -> bool:
    """Stop one of the user's own subscriptions; False if they have no such subscription.
    The row stays (inactive) with its last sent period: subscribing again does not send a
    period twice."""
    return bool(
        ReportSubscription.objects.filter(pk=subscription_id, user=user, active=True).update(
            active=False, updated_at=timezone.now()
        )
    )


def _subscription_message(subscription: ReportSubscription, period) -> EmailMessage:
    agency = subscription.agency
    subject = aggregates.Subject.of(subscription.campaign)
    with aggregates.fresh_figures():  # not the pages' snapshot: mailed from the beat
        table = report_table(
            agency=agency, subject=subject, period=period, signer=subscription.user
        )
    buffer = io.BytesIO()
    if subscription.fmt == ReportSubscription.Format.PDF:
        report_files.report_pdf(table, buffer)
    else:
        report_files.report_xlsx(table, buffer)
    values = {
        "period": period.label,
        "agency": agency.name,
        "start": f"{period.start:%d/%m/%Y}",
        "end": f"{period.end:%d/%m/%Y}",
        "campaign": subscription.campaign.name if subscription.campaign else _("All courses"),
        "link": absolute_url(reverse("campaigns:subscriptions")),
    }
    text = _(
        "Attached is the report of %(agency)s for %(period)s (%(start)s – %(end)s), "
        "%(campaign)s.\n\nTo stop or change these e-mails: %(link)s"
    )
    body = text % values
    message = EmailMessage(
        _("Report %(period)s: %(agency)s") % values, body, to=[subscription.user.email]
    )
    message.attach(
        f"bao-cao-{agency.code}-{period.slug}.{subscription.fmt}",
        buffer.getvalue(),
        CONTENT_TYPES[subscription.fmt],
    )
    return message


def report_subscriptions_send(*, today: dt.date | None = None) -> dict:
    """Daily: e-mail each active subscription the report of its latest ended period, once.

    A subscription whose user no longer sees the agency is switched off. The period is
    claimed (conditional UPDATE of last_sent_period) before sending, so a doubled beat run
    sends once; a failed send gives the claim back (the retry or tomorrow's run sends it).
    Subscriptions are a few per manager: each costs the report's handful of queries."""
    today = today or timezone.localdate()
    counts = {"sent": 0, "switched_off": 0, "failed": 0}
    subscriptions = list(
        ReportSubscription.objects.filter(active=True)
        .select_related("user", "agency", "campaign")
        .prefetch_related("campaign__courses", "campaign__audiences")
        .order_by("pk")
    )
    for subscription in subscriptions:
        if not _agency_visible(subscription.user, subscription.agency_id):
            ReportSubscription.objects.filter(pk=subscription.pk).update(
                active=False, updated_at=timezone.now()
            )
            counts["switched_off"] += 1
            continue
        period = periods.period_containing(today, kind=subscription.kind).previous()
        if subscription.last_sent_period == period.slug or "@" not in subscription.user.email:
            continue
        claimed = (
            ReportSubscription.objects.filter(pk=subscription.pk, active=True)
            .exclude(last_sent_period=period.slug)
            .update(last_sent_period=period.slug, updated_at=timezone.now())
        )
        if not claimed:
            continue  # another run sent it
        try:
            _subscription_message(subscription, period).send()
        except Exception as exc:
            ReportSubscription.objects.filter(
                pk=subscription.pk, last_sent_period=period.slug
            ).update(last_sent_period=subscription.last_sent_period)
            if isinstance(exc, RETRYABLE):
                raise
            logger.exception("Scheduled report %s failed", subscription.pk)
            counts["failed"] += 1
            continue
        audit_record(
            action="hocso.report_sent", instance=subscription, person=subscription.user_id,
            agency=subscription.agency_id,
            details={"period": period.slug, "format": subscription.fmt},
        )  # fmt: skip
        counts["sent"] += 1
    return counts
