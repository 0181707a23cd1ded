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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import imports, selectors, services, tasks
from campaigns.models import Attendance, Audience, ImportJob, Notice, Session
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


@manager_required
def dashboard(request, agency_id=None):
    parent = selectors.visible_agency_or_404(request.user, agency_id) if agency_id else None
    rows = selectors.agency_rows(user=request.user, parent=parent)
    return render(
        request,
        "campaigns/dashboard.html",
        {"parent": parent, "rows": rows, "ancestors": parent.get_ancestors() if parent else []},
    )


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
