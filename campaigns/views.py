"""Manager pages, the agency search, imports, attendance and notices. Thin: every read of
learner data goes through campaigns.selectors (the scoping chokepoint), every write through
services."""

import datetime as dt
import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from accounts.phones import to_e164
from campaigns import audit as campaigns_audit
from campaigns import courses_bridge, notify, selectors, services
from campaigns.agencies import email_changes, import_files, imports
from campaigns.forms import SessionForm
from campaigns.models import (
    Agency,
    Attendance,
    ImportJob,
    Notice,
    ReportExport,
    Session,
)
from campaigns.notices import notices_of
from campaigns.reporting import aggregates, exports, periods, report_files
from cms import audit, spreadsheets
from cms.audit import audit_record
from cms.text import fold
from cms.vocabularies import Subgroup

ATTEND_SALT = "campaigns.attendance"
ROSTER_MAX_BYTES = 2 * 1024 * 1024  # a roster is one column of addresses or codes
ROSTER_MAX_ROWS = 20_000


def manager_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not selectors.is_manager(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- Dashboard and people ---------------------------------------------------------------


def _subject(request):
    """The subject chosen with ?campaign= (`aggregates.subject_chosen`). Returns (subject,
    campaigns for the picker, the raw choice)."""
    campaigns = list(aggregates.campaigns_for_dashboard().prefetch_related("courses", "audiences"))
    choice = request.GET.get("campaign", "")
    return aggregates.subject_chosen(choice, campaigns), campaigns, choice


SORTS = {
    "rate": lambda r: (-(r.counts.percent or -1), r.agency.name),
    "name": lambda r: fold(r.agency.name),
    "completed": lambda r: (-r.counts.completed, r.agency.name),
}


@manager_required
def dashboard(request, agency_id=None):
    """Headline, child agencies (sortable), courses, trend: rollups only, a constant number
    of queries whatever the number of learners."""
    user = request.user
    parent = selectors.visible_agency_or_404(user, agency_id) if agency_id else None
    roots = [] if parent else list(selectors.manager_root_agencies(user))
    subject, campaigns, choice = _subject(request)
    with aggregates.figures_times() as times:
        data = aggregates.dashboard(parent=parent, roots=roots, subject=subject) if (
            parent or roots) else {"headline": aggregates.Counts(), "rows": []}  # fmt: skip
        data["courses"], data["trend"] = _courses_and_trend(request, parent, roots, data, subject)
    sort = request.GET.get("sort", "rate")
    data["rows"].sort(key=SORTS.get(sort, SORTS["rate"]))
    weekly = request.GET.get("trend") == "week"
    attended = selectors.attendance_by_agency(paths=[r.agency.path for r in data["rows"]])
    for row in data["rows"]:
        row.attended = attended.get(row.agency.path, 0)
    context = {
        "parent": parent,
        "ancestors": selectors.visible_ancestors(user, parent) if parent else [],
        "subject": subject, "campaigns": campaigns, "choice": choice, "sort": sort,
        "headline": data["headline"], "rows": data["rows"],
        "courses": data["courses"], "trend": data["trend"], "weekly": weekly,
        # When the figures were read from the rollups (a snapshot: aggregates.SNAPSHOT_SECONDS).
        "figures_at": aggregates.figures_at(times),
        "campaign_param": subject.campaign.pk if subject.campaign else "all",
        "sorts": [("rate", _("Completion rate")), ("name", pgettext("agency", "Name")),
                  ("completed", _("Completed"))],
        "chart_labels": {"enrolled": _("Assigned") if subject.campaign else _("Enrolled"),
                         "completed": _("Completed")},
    }  # fmt: skip
    return render(request, "campaigns/dashboard.html", context)


def _courses_and_trend(request, parent, roots, data, subject) -> tuple[list, list]:
    """The dashboard's course table and trend, by the scope's agency ids (read with the
    tree: the agency_id index, and the province's snapshot)."""
    if not (parent or roots):
        return [], []
    ids = data["agency_ids"]
    weekly = request.GET.get("trend") == "week"
    return (
        aggregates.course_breakdown(agency_ids=ids, subject=subject),
        aggregates.trend(agency_ids=ids, subject=subject, weekly=weekly),
    )


@manager_required
def ranking(request):
    """Emulation ranking (thi đua) among the manager's agencies of one kind."""
    subject, campaigns, choice = _subject(request)
    roots = None if request.user.is_superuser else selectors.manager_root_agencies(request.user)
    # Opens on the kind of agency the manager has (a ward's manager sees wards first).
    own_kind = roots[0].kind if roots else Agency.Kind.COMMUNE_OR_WARD
    kind = request.GET.get("kind", own_kind)
    if kind not in Agency.Kind.values:
        kind = own_kind
    with aggregates.figures_times() as times:
        entries = aggregates.ranking(kind=kind, subject=subject, within=roots)
    return render(
        request,
        "campaigns/ranking.html",
        {"entries": entries, "kind": kind, "kinds": Agency.Kind.choices, "subject": subject,
         "campaigns": campaigns, "choice": choice, "public": False,
         "figures_at": aggregates.figures_at(times),
         "campaign_param": subject.campaign.pk if subject.campaign else "all"},
    )  # fmt: skip


def _period_from_request(request):
    """The report period from ?period=<slug> or ?start=&end= (custom); default: the last
    whole month. Raises PeriodError with a message for the manager."""
    if request.GET.get("start") or request.GET.get("end"):
        try:
            start = dt.date.fromisoformat(request.GET.get("start", ""))
            end = dt.date.fromisoformat(request.GET.get("end", ""))
        except ValueError:
            raise periods.PeriodError(_("Give the dates as YYYY-MM-DD.")) from None
        return periods.custom_period(start=start, end=end)
    slug = request.GET.get("period", "")
    if slug:
        return periods.period_from_slug(slug)
    today = timezone.localdate()
    return periods.period_containing(today, kind="month").previous()


@manager_required
def report(request, agency_id):
    """The period report of an agency subtree: a table on the page, or the file
    (?format=xlsx|csv|pdf). One level below the agency; depth=2 adds the next."""
    agency = selectors.visible_agency_or_404(request.user, agency_id)
    subject, campaigns, choice = _subject(request)
    error, table = "", None
    try:
        period = _period_from_request(request)
    except periods.PeriodError as exc:
        error, period = str(exc), None
    depth = 2 if request.GET.get("depth") == "2" else 1
    if period is not None:
        fmt = request.GET.get("format", "")
        table = exports.report_table(
            agency=agency, subject=subject, period=period, depth=depth,
            signer=request.user if fmt else None,
        )  # fmt: skip
        if fmt in exports.FORMATS[ReportExport.Kind.REPORT]:
            audit_record(
                action="hocso.report_exported", instance=agency, request=request, agency=agency,
                details={"format": fmt, "period": period.slug},
            )  # fmt: skip
            content_type = exports.CONTENT_TYPES[fmt]
            name = f"bao-cao-{agency.code}-{period.slug}.{fmt}"
            if fmt == "csv":
                response = StreamingHttpResponse(
                    report_files.report_csv(table), content_type=content_type
                )
            else:
                buffer = io.BytesIO()
                (report_files.report_xlsx if fmt == "xlsx" else report_files.report_pdf)(
                    table, buffer
                )
                response = HttpResponse(buffer.getvalue(), content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    today = timezone.localdate()
    choices = [periods.period_containing(today, kind=k).previous() for k in periods.KINDS]
    choices += [periods.period_containing(today, kind=k) for k in periods.KINDS]
    return render(
        request,
        "campaigns/report.html",
        {"agency": agency, "period": period, "table": table, "error": error,
         "period_choices": choices, "subject": subject, "campaigns": campaigns,
         "choice": choice, "depth": depth, "query": request.GET.urlencode(),
         "campaign_param": subject.campaign.pk if subject.campaign else "all"},
        status=400 if error else 200,
    )  # fmt: skip


@manager_required
def overdue(request, agency_id):
    """People of the subtree past their campaign deadline, sorted the Vietnamese way (given
    name, middle, family), 50 a page, with a "send reminder" action."""
    agency = selectors.visible_agency_or_404(request.user, agency_id)
    rows = selectors.overdue_people(user=request.user, agency=agency)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    selectors.overdue_details(page.object_list)
    return render(
        request,
        "campaigns/overdue.html",
        {"agency": agency, "page": page, "sent": request.session.pop("reminders_sent", None)},
    )


@manager_required
@require_POST
def overdue_remind(request, agency_id):
    agency = selectors.visible_agency_or_404(request.user, agency_id)
    ids = [int(i) for i in request.POST.getlist("assignment") if i.isdigit()][:500]
    assignments = selectors.overdue_assignments(user=request.user, agency=agency).filter(pk__in=ids)
    with translation.override(settings.LANGUAGE_CODE):
        sent = notify.manual_reminders_send(
            assignments=assignments.select_related("campaign", "user")
        )
    request.session["reminders_sent"] = sent
    return redirect("campaigns:overdue", agency_id=agency.pk)


PERSON_STATUS_LABELS = courses_bridge.STATUS_LABELS
REMIND_MAX = 2000  # people per "remind everyone shown": one request, bounded mail batch


def _people_campaign(params):
    """The campaign chosen with `campaign` (default: the newest active one) and the
    active campaigns for the picker (one query)."""
    campaigns = list(aggregates.campaigns_for_dashboard())
    choice = params.get("campaign", "")
    campaign = aggregates.campaign_chosen("" if choice == "all" else choice, campaigns)
    return campaign, campaigns


def _people(request, agency, params=None, *, campaign=None, course_ids=()):
    """Learners of `agency`'s subtree, within what the manager may see, narrowed by the
    filter in `params` (the query string, or the reminder form's copy of it): search,
    audience, and the state across `campaign`'s required courses (then only the people
    the campaign is assigned to)."""
    params = request.GET if params is None else params
    people = selectors.learners_visible_to(request.user).filter(
        agency__path__startswith=agency.path
    )
    query = fold(params.get("q", ""))
    if query:
        found = (
            Q(user__email__icontains=query) | Q(employee_code__iexact=query)
            | Q(user__phone__contains=query) | Q(user__full_name__icontains=params["q"])
        )  # fmt: skip
        if phone := to_e164(params["q"]):  # "0912 345 678" as stored: +84912345678
            found |= Q(user__phone=phone)
        people = people.filter(found)
    audience = params.get("audience", "")
    if audience in Subgroup.values:
        people = people.filter(audience=audience)
    status = params.get("status", "")
    if campaign is not None and status in courses_bridge.STATUSES:
        people = people.filter(user__campaign_assignments__campaign=campaign)
        people = courses_bridge.filter_by_status(people, course_ids=course_ids, status=status)
    return people


def _filter_params(params) -> dict:
    return {k: params.get(k, "") for k in ("q", "audience", "status", "campaign")}


@manager_required
def people(request, agency_id):
    """People of a subtree with their state in each required course of the chosen
    campaign (not started / in progress / completed, with dates), filterable by it, and
    the reminder form. Queries are constant in the number of people (see the test)."""
    agency = selectors.visible_agency_or_404(request.user, agency_id)
    campaign, campaigns = _people_campaign(request.GET)
    courses = courses_bridge.required_courses(campaign) if campaign else []
    course_ids = [c.pk for c in courses]
    qs = _people(request, agency, campaign=campaign, course_ids=course_ids)
    page = Paginator(qs.order_by("user__full_name", "user_id"), 50).get_page(
        request.GET.get("page")
    )
    user_ids = [p.user_id for p in page.object_list]
    statuses = courses_bridge.course_statuses(user_ids=user_ids, course_ids=course_ids)
    due = (
        dict(campaign.assignments.filter(user_id__in=user_ids).values_list("user_id", "due_at"))
        if campaign and user_ids
        else {}
    )
    for p in page.object_list:
        p.assigned_due = due.get(p.user_id)
        p.course_cells = [
            statuses.get((p.user_id, c.pk), courses_bridge.CourseStatus(courses_bridge.NOT_STARTED))
            if p.user_id in due
            else None
            for c in courses
        ]
        for cell in p.course_cells:
            if cell is not None:
                cell.label = PERSON_STATUS_LABELS[cell.status]
    filters = _filter_params(request.GET)
    if campaign is not None:
        filters["campaign"] = str(campaign.pk)
    audit_record(
        action="hocso.people_listed", instance=agency, request=request, agency=agency,
        details={"page": page.number, "shown": len(user_ids)},
    )  # fmt: skip
    return render(
        request,
        "campaigns/people.html",
        {"agency": agency, "page": page, "audiences": Subgroup.choices,
         "q": filters["q"], "audience": filters["audience"], "status": filters["status"],
         "statuses": list(PERSON_STATUS_LABELS.items()), "campaign": campaign,
         "campaigns": campaigns, "courses": courses, "filters": filters,
         "filter_query": urlencode(filters),
         "sent": request.session.pop("people_reminders_sent", None)},
    )  # fmt: skip


@manager_required
@require_POST
def people_remind(request, agency_id):
    """Remind, before (or after) the deadline, the people of the filter who have not
    completed the campaign: the ones ticked, or everyone the filter shows. One notice and
    one e-mail per person, at most once a day per person (campaigns.notify)."""
    agency = selectors.visible_agency_or_404(request.user, agency_id)
    campaign, _campaigns = _people_campaign(request.POST)
    filters = _filter_params(request.POST)
    if campaign is None:
        return redirect(reverse("campaigns:people", args=[agency.pk]) + "?" + urlencode(filters))
    course_ids = [c.pk for c in courses_bridge.required_courses(campaign)]
    people = _people(request, agency, request.POST, campaign=campaign, course_ids=course_ids)
    if request.POST.get("scope") != "all":
        ids = [int(i) for i in request.POST.getlist("person") if i.isdigit()][:REMIND_MAX]
        people = people.filter(user_id__in=ids)
    user_ids = people.values("user_id")[:REMIND_MAX]
    assignments = campaign.assignments.filter(
        completed_at__isnull=True, user_id__in=user_ids
    ).select_related("campaign", "user")
    with translation.override(settings.LANGUAGE_CODE):
        sent = notify.manual_reminders_send(assignments=assignments)
    request.session["people_reminders_sent"] = sent
    filters["campaign"] = str(campaign.pk)
    return redirect(reverse("campaigns:people", args=[agency.pk]) + "?" + urlencode(filters))


@manager_required
def people_export(request, agency_id):
    """CSV (UTF-8 with BOM, so Excel shows Vietnamese) of the subtree's learners, written
    formula-safe by cms.spreadsheets (a learner chooses their own name)."""
    agency = selectors.visible_agency_or_404(request.user, agency_id)
    campaign, _campaigns = _people_campaign(request.GET)
    course_ids = [c.pk for c in courses_bridge.required_courses(campaign)] if campaign else []
    qs = _people(request, agency, campaign=campaign, course_ids=course_ids).order_by(
        "agency__path", "user__full_name"
    )
    header = [_("Full name"), _("E-mail"), _("Phone"), _("Agency"), _("Agency code"),
              _("Audience"), _("Job title"), _("Employee code")]  # fmt: skip
    labels = dict(Subgroup.choices)

    def rows():
        yield header
        for p in qs.iterator(chunk_size=2000):
            yield [
                p.user.full_name, p.user.email, p.user.phone or "", p.agency.name,
                p.agency.code, labels.get(p.audience, p.audience), p.job_title,
                p.employee_code or "",
            ]  # fmt: skip

    audit_record(
        action="hocso.people_exported", instance=agency, request=request, agency=agency,
        details={"format": "csv"},
    )  # fmt: skip
    response = StreamingHttpResponse(
        spreadsheets.csv_lines(rows()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="hoc-vien-{agency.code}.csv"'
    return response


def _assignments_with_statuses(user) -> list:
    """The person's assignments, each with its required courses' states and dates
    (three queries: assignments, their courses, the person's enrolments in them)."""
    assignments = list(
        user.campaign_assignments.select_related("campaign")
        .prefetch_related("campaign__courses__course")
        .order_by("due_at")
    )
    course_ids = {link.course_id for a in assignments for link in a.campaign.courses.all()}
    statuses = courses_bridge.course_statuses(user_ids=[user.pk], course_ids=course_ids)
    for a in assignments:
        a.course_cells = []
        for link in sorted(a.campaign.courses.all(), key=lambda link: (link.sort_order, link.pk)):
            cell = statuses.get((user.pk, link.course_id)) or courses_bridge.CourseStatus(
                courses_bridge.NOT_STARTED
            )
            cell.course, cell.label = link.course, PERSON_STATUS_LABELS[cell.status]
            a.course_cells.append(cell)
    return assignments


@manager_required
def learner_detail(request, user_id):
    profile = selectors.visible_learner_or_404(request.user, user_id)
    user = profile.user
    audit_record(
        action="hocso.person_viewed", instance=user, request=request, person=user,
        agency=profile.agency_id,
    )  # fmt: skip
    return render(
        request,
        "campaigns/learner.html",
        {
            "profile": profile,
            "person": user,
            "memberships": user.agency_memberships.select_related("agency").order_by("-valid_from"),
            "assignments": _assignments_with_statuses(user),
            "attendances": Attendance.objects.filter(user=user)
            .select_related("session")
            .order_by("-recorded_at"),
        },
    )


@manager_required
@require_GET
def audit_log(request):
    """The personal-data log of the manager's agencies (`selectors.audit_entries_visible_to`,
    the chokepoint): who viewed, exported or imported their people's data. Read only."""
    entries = selectors.audit_entries_visible_to(request.user)
    action = request.GET.get("action", "")
    if action in audit.ACTIONS:
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    page.object_list = campaigns_audit.entries_described(page.object_list)
    return render(
        request,
        "campaigns/audit_log.html",
        {"page": page, "actions": list(audit.ACTIONS.items()), "action": action},
    )


# --- Agency search (sign-up) ------------------------------------------------------------


def agency_search_json(request):
    """Public: names and codes of active agencies only (no personal data)."""
    results = [
        {"id": a.pk, "name": a.name, "code": a.code, "kind": a.get_kind_display()}
        for a in selectors.agency_search(request.GET.get("q", ""))
    ]
    return JsonResponse({"version": 1, "results": results})


def agency_search_page(request):
    """The same search as a page, for browsers without JavaScript."""
    query = request.GET.get("q", "")
    return render(
        request,
        "campaigns/agency_search.html",
        {"q": query, "results": selectors.agency_search(query, limit=50)},
    )


# --- Imports ----------------------------------------------------------------------------


def _visible_job_or_404(user, job_id) -> ImportJob:
    jobs = (
        ImportJob.objects.all() if user.is_superuser else ImportJob.objects.filter(created_by=user)
    )
    job = get_object_or_404(jobs, pk=job_id)
    # A job whose process died (no progress for a while) is failed when looked at too: the
    # demo has no beat to run the sweep.
    busy = job.status in (ImportJob.Status.VALIDATING, ImportJob.Status.RUNNING)
    if busy and imports.import_jobs_fail_stuck(job_id=job.pk):
        job.refresh_from_db()
    return job


@manager_required
def import_upload(request):
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a CSV or XLSX file.")
        else:
            try:
                with transaction.atomic():
                    job = imports.import_job_submit(
                        user=request.user,
                        uploaded_file=upload,
                        send_invitations=bool(request.POST.get("send_invitations")),
                    )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return redirect("campaigns:import_detail", job_id=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user)[:10]
    return render(
        request,
        "campaigns/import_upload.html",
        {"error": error, "jobs": jobs, "max_bytes": settings.CAMPAIGNS_IMPORT_MAX_BYTES,
         "max_rows": f"{settings.CAMPAIGNS_IMPORT_MAX_ROWS:,}".replace(",", ".")},
    )  # fmt: skip


@manager_required
def import_detail(request, job_id):
    job = _visible_job_or_404(request.user, job_id)
    problems = job.rows.exclude(problems="").order_by("number")
    page = Paginator(problems, 100).get_page(request.GET.get("page"))
    good = job.total_rows - page.paginator.count if job.status == ImportJob.Status.INVALID else 0
    return render(request, "campaigns/import_detail.html", {"job": job, "page": page, "good": good})


@manager_required
def import_progress(request, job_id):
    job = _visible_job_or_404(request.user, job_id)
    done = job.checkpoint_row and job.rows.filter(number__lte=job.checkpoint_row).count()
    percent = round(100 * done / job.total_rows) if job.total_rows else 0
    return JsonResponse({
        "version": 1, "status": job.status, "status_label": job.get_status_display(),
        "total": job.total_rows, "done": done, "percent": percent, "errors": job.error_rows,
        "message": job.message,
    })  # fmt: skip


def _import_run_audited(request, job: ImportJob) -> None:
    """One audit entry per import run, under the importer's first agency (their scope)."""
    roots = selectors.manager_root_agencies(request.user)
    audit_record(
        action="hocso.import_run", instance=job, request=request,
        agency=roots[0] if len(roots) else None, details={"rows": job.total_rows},
    )  # fmt: skip


@manager_required
@require_POST
def import_start(request, job_id):
    job = _visible_job_or_404(request.user, job_id)
    if imports.import_run_submit(job=job):
        _import_run_audited(request, job)
    return redirect("campaigns:import_detail", job_id=job.pk)


@manager_required
@require_POST
def import_accept_good_rows(request, job_id):
    """ "Import the N good rows" after a dry run with problems."""
    job = _visible_job_or_404(request.user, job_id)
    try:
        with transaction.atomic():
            imports.import_job_accept_good_rows(job=job)
    except ValidationError:
        pass  # the page shows the job as it is
    return redirect("campaigns:import_detail", job_id=job.pk)


@manager_required
def import_rejected(request, job_id):
    """The rows with problems, with their reasons, as CSV (to correct and upload again)."""
    job = _visible_job_or_404(request.user, job_id)
    response = HttpResponse(
        imports.rejected_rows_csv(job=job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="dong-bi-loai-{job.pk}.csv"'
    return response


def email_change_confirm(request, token):
    """The link an import's e-mail change sends to the old address. Open to anyone with
    the link (it is the proof): GET shows the change, POST makes it (mail scanners that
    open links change nothing)."""
    if request.method == "POST":
        change = email_changes.email_change_confirm(token=token)
        if change is None:
            raise Http404
        return render(request, "campaigns/email_change.html", {"change": change, "done": True})
    change = email_changes.email_change_pending(token=token)
    if change is None:
        raise Http404
    return render(request, "campaigns/email_change.html", {"change": change, "done": False})


AGENCY_CODES_MAX = 5000  # a province has about a thousand agencies


def _import_agencies(user):
    """The active agencies the manager may import into, top first (their codes)."""
    return list(
        selectors.agencies_visible_to(user)
        .filter(is_active=True)
        .order_by("path")[:AGENCY_CODES_MAX]
    )


@manager_required
def import_template(request, fmt):
    """The template; its example row carries one of the manager's own agency codes (it
    passes the check as it stands) and the XLSX lists every code they may use."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    agencies = _import_agencies(request.user)
    if fmt == "xlsx":
        response = HttpResponse(
            import_files.template_xlsx(agencies=agencies),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            import_files.template_csv(agency_code=agencies[0].code if agencies else None),
            content_type="text/csv; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-hoc-vien.{fmt}"'
    return response


@manager_required
def import_agency_codes(request):
    """CSV of the agency codes the manager may import into, with names and kinds."""
    response = HttpResponse(
        import_files.agency_codes_csv(_import_agencies(request.user)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="ma-co-quan.csv"'
    return response


# --- In-person sessions -----------------------------------------------------------------


def attendance_token(session: Session) -> str:
    """A signed token naming the session and when it expires (the session's end)."""
    return signing.dumps({"s": session.pk, "e": int(session.ends_at.timestamp())}, salt=ATTEND_SALT)


@manager_required
def session_list(request):
    sessions = (
        selectors.sessions_visible_to(request.user)
        .select_related("agency")
        .order_by("-starts_at")[:100]
    )
    return render(request, "campaigns/sessions.html", {"sessions": sessions})


def _session_form_page(request, session=None):
    agencies = selectors.agencies_visible_to(request.user)
    initial = {}
    if session is not None:
        initial = {name: getattr(session, name) for name in services.SESSION_FIELDS}
        for name in ("starts_at", "ends_at"):
            initial[name] = timezone.localtime(initial[name])
    form = SessionForm(request.POST or None, agencies=agencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_save(session=session, **form.cleaned_data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("campaigns:session", session_id=session.pk)
    return render(
        request,
        "campaigns/session_form.html",
        {"form": form, "session": session},
        status=400 if form.errors else 200,
    )


@manager_required
def session_create(request):
    """A manager creates an in-person session in one of their agencies."""
    return _session_form_page(request)


@manager_required
def session_edit(request, session_id):
    """A manager changes a session of their agencies (another's: 404)."""
    return _session_form_page(request, selectors.visible_session_or_404(request.user, session_id))


@manager_required
def session_detail(request, session_id):
    """The session's QR code (to show on a screen) and its attendance."""
    import segno

    session = selectors.visible_session_or_404(request.user, session_id)
    url = settings.APP_ORIGIN.rstrip("/") + reverse(
        "campaigns:attend", kwargs={"token": attendance_token(session)}
    )
    qr = segno.make(url, error="m")
    svg = io.BytesIO()
    qr.save(svg, kind="svg", scale=6, xmldecl=False, svgns=True)
    attendances = session.attendances.select_related("user").order_by("recorded_at")
    return render(
        request,
        "campaigns/session.html",
        {"session": session, "qr_svg": svg.getvalue().decode(), "attend_url": url,
         "attendances": attendances, "roster_result": request.session.pop("roster_result", None)},
    )  # fmt: skip


@manager_required
@require_POST
def session_roster(request, session_id):
    """Roster upload: one e-mail, phone or employee code per line (CSV first column)."""
    session = selectors.visible_session_or_404(request.user, session_id)
    upload = request.FILES.get("file")
    if upload is None:
        request.session["roster_result"] = _("Choose a file.")
        return redirect("campaigns:session", session_id=session.pk)
    try:  # checked and read by cms.spreadsheets like every spreadsheet upload (2 MB, 20,000 rows)
        spreadsheets.upload_check(upload, kind="csv", size=upload.size,
                                  max_bytes=ROSTER_MAX_BYTES, max_rows=ROSTER_MAX_ROWS)  # fmt: skip
        rows = spreadsheets.read_rows(upload.read(), kind="csv", max_rows=ROSTER_MAX_ROWS)
        keys = {row[0] for row in rows if row and row[0]}
    except spreadsheets.SpreadsheetError as exc:
        request.session["roster_result"] = str(exc)
        return redirect("campaigns:session", session_id=session.pk)
    people = selectors.learners_visible_to(request.user).filter(
        Q(user__email__in={k.lower() for k in keys})
        | Q(user__phone__in={imports.normalise_phone(k) for k in keys})
        | Q(employee_code__in=keys)
    )
    found = 0
    for profile in people:
        services.attendance_record(
            session=session, user=profile.user, method=Attendance.Method.ROSTER
        )
        found += 1
    request.session["roster_result"] = _(
        "%(found)s people recorded; %(missing)s lines matched no one in your agencies."
    ) % {"found": found, "missing": max(len(keys) - found, 0)}
    return redirect("campaigns:session", session_id=session.pk)


@login_required
def attend(request, token):
    """The attendee scans the QR code on their phone while logged in."""
    try:
        data = signing.loads(token, salt=ATTEND_SALT)
        session = Session.objects.get(pk=data["s"])
    except (signing.BadSignature, Session.DoesNotExist, KeyError, TypeError):
        raise Http404 from None
    now = timezone.now()
    opens = session.starts_at - dt.timedelta(minutes=settings.CAMPAIGNS_ATTENDANCE_EARLY_MINUTES)
    if now > dt.datetime.fromtimestamp(data["e"], tz=dt.UTC) or not opens <= now <= session.ends_at:
        return render(request, "campaigns/attend.html", {"session": session, "closed": True},
                      status=410)  # fmt: skip
    if request.method == "POST":
        services.attendance_record(session=session, user=request.user, method=Attendance.Method.QR)
        return render(request, "campaigns/attend.html", {"session": session, "recorded": True})
    already = Attendance.objects.filter(session=session, user=request.user).exists()
    return render(request, "campaigns/attend.html", {"session": session, "recorded": already})


# --- Notices ----------------------------------------------------------------------------


@login_required
def notices(request):
    """Everyone's notices (the bell's page): unread ones stand out until opened or marked."""
    items = notices_of(user=request.user)
    return render(
        request,
        "campaigns/notices.html",
        {"notices": items, "unread": sum(1 for n in items if n.read_at is None)},
    )


@login_required
def notice_open(request, notice_id: int):
    """Opening a notice marks it read and follows its link (a path on this site only)."""
    notice = get_object_or_404(Notice, pk=notice_id, user=request.user)
    services.notices_mark_read(user=request.user, notice_id=notice.pk)
    target = notice.url if notice.url.startswith("/") and not notice.url.startswith("//") else ""
    return redirect(target or "notices:list")


@login_required
@require_POST
def notices_read(request):
    services.notices_mark_read(user=request.user)
    return redirect("notices:list")
