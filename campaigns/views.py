"""Manager pages, the agency search, imports, attendance and notices. Thin: every read of
learner data goes through campaigns.selectors (the scoping chokepoint), every write through
services."""

import csv
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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import exports, imports, periods, reporting, selectors, services, tasks
from campaigns.models import (
    Agency,
    Attendance,
    Audience,
    ImportJob,
    Notice,
    ReportExport,
    Session,
)
from cms.text import fold

ATTEND_SALT = "campaigns.attendance"


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
    """The campaign chosen with ?campaign= (default: the newest active one; "all": every
    course). Returns (subject, campaigns for the picker, the raw choice)."""
    campaigns = list(reporting.campaigns_for_dashboard().prefetch_related("courses", "audiences"))
    choice = request.GET.get("campaign", "")
    campaign = None
    if choice != "all":
        campaign = next((c for c in campaigns if str(c.pk) == choice), None)
        if campaign is None and campaigns:
            campaign = campaigns[0]
    return reporting.Subject.of(campaign), campaigns, choice


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
    data = reporting.dashboard(parent=parent, roots=roots, subject=subject) if (
        parent or roots) else {"headline": reporting.Counts(), "rows": []}  # fmt: skip
    sort = request.GET.get("sort", "rate")
    data["rows"].sort(key=SORTS.get(sort, SORTS["rate"]))
    paths = [parent.path] if parent else [r.path for r in roots]
    weekly = request.GET.get("trend") == "week"
    attended = selectors.attendance_by_agency(paths=[r.agency.path for r in data["rows"]])
    for row in data["rows"]:
        row.attended = attended.get(row.agency.path, 0)
    context = {
        "parent": parent,
        "ancestors": selectors.visible_ancestors(user, parent) if parent else [],
        "subject": subject, "campaigns": campaigns, "choice": choice, "sort": sort,
        "headline": data["headline"], "rows": data["rows"],
        "courses": reporting.course_breakdown(parent_paths=paths, subject=subject) if paths else [],
        "trend": reporting.trend(parent_paths=paths, subject=subject, weekly=weekly)
        if paths else [],
        "weekly": weekly,
        "campaign_param": subject.campaign.pk if subject.campaign else "all",
        "sorts": [("rate", _("Completion rate")), ("name", _("Name")),
                  ("completed", _("Completed"))],
        "chart_labels": {"enrolled": _("Assigned") if subject.campaign else _("Enrolled"),
                         "completed": _("Completed")},
    }  # fmt: skip
    return render(request, "campaigns/dashboard.html", context)


@manager_required
def ranking(request):
    """Emulation ranking (thi đua) among the manager's agencies of one kind."""
    subject, campaigns, choice = _subject(request)
    kind = request.GET.get("kind", Agency.Kind.COMMUNE_OR_WARD)
    if kind not in Agency.Kind.values:
        kind = Agency.Kind.COMMUNE_OR_WARD
    roots = None if request.user.is_superuser else selectors.manager_root_agencies(request.user)
    entries = reporting.ranking(kind=kind, subject=subject, within=roots)
    return render(
        request,
        "campaigns/ranking.html",
        {"entries": entries, "kind": kind, "kinds": Agency.Kind.choices, "subject": subject,
         "campaigns": campaigns, "choice": choice, "public": False,
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
    from campaigns import report_files

    agency = selectors.visible_agency_or_404(request.user, agency_id)
    subject, campaigns, choice = _subject(request)
    error, table = "", None
    try:
        period = _period_from_request(request)
    except periods.PeriodError as exc:
        error, period = str(exc), None
    depth = 2 if request.GET.get("depth") == "2" else 1
    if period is not None:
        table = exports.report_table(agency=agency, subject=subject, period=period, depth=depth)
        fmt = request.GET.get("format", "")
        if fmt in exports.FORMATS[ReportExport.Kind.REPORT]:
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
    from campaigns.notify import manual_reminders_send

    agency = selectors.visible_agency_or_404(request.user, agency_id)
    ids = [int(i) for i in request.POST.getlist("assignment") if i.isdigit()][:500]
    assignments = selectors.overdue_assignments(user=request.user, agency=agency).filter(pk__in=ids)
    with translation.override(settings.LANGUAGE_CODE):
        sent = manual_reminders_send(assignments=assignments.select_related("campaign", "user"))
    request.session["reminders_sent"] = sent
    return redirect("campaigns:overdue", agency_id=agency.pk)


def _people(request, agency):
    """Learners of `agency`'s subtree, within what the manager may see."""
    people = selectors.learners_visible_to(request.user).filter(
        agency__path__startswith=agency.path
    )
    query = fold(request.GET.get("q", ""))
    if query:
        people = people.filter(
            Q(user__email__icontains=query) | Q(employee_code__iexact=query)
            | Q(user__phone__contains=query) | Q(user__full_name__icontains=request.GET["q"])
        )  # fmt: skip
    audience = request.GET.get("audience", "")
    if audience in Audience.values:
        people = people.filter(audience=audience)
    return people


@manager_required
def people(request, agency_id):
    agency = selectors.visible_agency_or_404(request.user, agency_id)
    qs = _people(request, agency).order_by("user__full_name", "user_id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/people.html",
        {"agency": agency, "page": page, "audiences": Audience.choices,
         "q": request.GET.get("q", ""), "audience": request.GET.get("audience", "")},
    )  # fmt: skip


class _Echo:
    def write(self, value):
        return value


@manager_required
def people_export(request, agency_id):
    """CSV (UTF-8 with BOM, so Excel shows Vietnamese) of the subtree's learners."""
    agency = selectors.visible_agency_or_404(request.user, agency_id)
    qs = _people(request, agency).order_by("agency__path", "user__full_name")
    writer = csv.writer(_Echo())
    header = [_("Full name"), _("E-mail"), _("Phone"), _("Agency"), _("Agency code"),
              _("Audience"), _("Job title"), _("Employee code")]  # fmt: skip
    labels = dict(Audience.choices)

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for p in qs.iterator(chunk_size=2000):
            yield writer.writerow([
                p.user.full_name, p.user.email, p.user.phone or "", p.agency.name,
                p.agency.code, labels.get(p.audience, p.audience), p.job_title,
                p.employee_code or "",
            ])  # fmt: skip

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hoc-vien-{agency.code}.csv"'
    return response


@manager_required
def learner_detail(request, user_id):
    profile = selectors.visible_learner_or_404(request.user, user_id)
    user = profile.user
    return render(
        request,
        "campaigns/learner.html",
        {
            "profile": profile,
            "person": user,
            "memberships": user.agency_memberships.select_related("agency").order_by("-valid_from"),
            "assignments": user.campaign_assignments.select_related("campaign").order_by("due_at"),
            "attendances": Attendance.objects.filter(user=user)
            .select_related("session")
            .order_by("-recorded_at"),
        },
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
    return get_object_or_404(jobs, pk=job_id)


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
                    job = imports.import_job_create(
                        user=request.user,
                        uploaded_file=upload,
                        send_invitations=bool(request.POST.get("send_invitations")),
                    )
                    transaction.on_commit(lambda: tasks.import_check.delay(job.pk))
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return redirect("campaigns:import_detail", job_id=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user)[:10]
    return render(request, "campaigns/import_upload.html", {"error": error, "jobs": jobs})


@manager_required
def import_detail(request, job_id):
    job = _visible_job_or_404(request.user, job_id)
    problems = job.rows.exclude(problems="").order_by("number")
    page = Paginator(problems, 100).get_page(request.GET.get("page"))
    return render(request, "campaigns/import_detail.html", {"job": job, "page": page})


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


@manager_required
@require_POST
def import_start(request, job_id):
    job = _visible_job_or_404(request.user, job_id)
    if job.status in (ImportJob.Status.READY, ImportJob.Status.FAILED):
        transaction.on_commit(lambda: tasks.import_run.delay(job.pk))
    return redirect("campaigns:import_detail", job_id=job.pk)


@manager_required
def import_template(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "xlsx":
        response = HttpResponse(
            imports.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-hoc-vien.{fmt}"'
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
    text = upload.read(2 * 1024 * 1024).decode("utf-8-sig", errors="replace")
    keys = {row[0].strip() for row in csv.reader(io.StringIO(text)) if row and row[0].strip()}
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
    items = list(Notice.objects.filter(user=request.user)[:50])
    Notice.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "campaigns/notices.html", {"notices": items})
