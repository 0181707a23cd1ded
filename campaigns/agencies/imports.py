"""Bulk import of learners from CSV or XLSX, in three steps.

1. `import_job_create`: store the upload (private storage) and queue the check.
2. `import_check` (dry run): stream the file row by row (csv.reader / openpyxl read_only,
   so memory stays flat however big the file) into staged `ImportRow`s in chunks, check
   each row (name, e-mail, phone, agency code within the importer's agencies, audience),
   then duplicates inside the file and conflicts with existing people, in the database.
   Any problem: status INVALID and nothing outside the staging table has changed.
3. `import_run`: apply staged rows in batches of settings.CAMPAIGNS_IMPORT_BATCH, each batch
   and its checkpoint in one transaction. A crash leaves every batch either fully applied
   or not at all; running again resumes after the checkpoint. People are matched by
   employee code, then e-mail, then phone, and updated (re-runnable).

Who an import may touch: it creates people, or updates people already inside the
importer's scope: a plain learner whose current membership is in one of the importer's
agencies (`campaigns.selectors.agencies_visible_to`). A row matching anyone else (staff, a
superuser, any manager, someone of another agency, a person with no agency or no learner
profile) is refused with one reason that tells nothing about that account, at the dry run
and again when its batch is applied. An e-mail change of someone who has signed in is never
applied by the import: the old address gets a link to confirm it (`PendingEmailChange`).

Limits (cms.spreadsheets; settings CAMPAIGNS_IMPORT_MAX_BYTES, CAMPAIGNS_IMPORT_MAX_ROWS and
the XLSX archive limits): checked on upload, before anything parses the file, and again by
the check. A file of more than CAMPAIGNS_IMPORT_INLINE_ROWS rows is always checked and run
in the background (`cms.background`), even without a worker. A check or run that stops
is marked failed with its reason; `import_jobs_fail_stuck` (beat, cms/celery.py) fails jobs
that made no progress for CAMPAIGNS_IMPORT_STUCK_MINUTES.
"""

import datetime as dt
import functools
import logging
import re
from collections import defaultdict
from collections.abc import Iterator

import phonenumbers
from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Value
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.phones import SMS_TYPES, to_e164
from accounts.tasks import sms_invitations_send
from campaigns import tasks
from campaigns.agencies import email_changes, services
from campaigns.agencies.selectors import agencies_visible_to
from campaigns.models import (
    ImportJob,
    ImportRow,
    LearnerProfile,
    ManagerRole,
    Membership,
    PendingEmailChange,
)
from campaigns.reporting.rollups import (
    contributions_sql,
    pg_array,
    rollup_apply,
    rollups_rewrite,
)
from cms import spreadsheets
from cms.background import send_background
from cms.outbox import task_send
from cms.spreadsheets import SpreadsheetError
from cms.text import fold
from cms.vocabularies import Audience, Subgroup

log = logging.getLogger(__name__)

STAGE_CHUNK = 1000  # staged rows per bulk insert while streaming the file

# Column headers of the template (Vietnamese) and the English alternatives, folded.
COLUMNS = [
    ("full_name", "Họ và tên", "full name"),
    ("email", "Email", "e-mail"),
    ("phone", "Số điện thoại", "phone"),
    ("agency_code", "Mã cơ quan", "agency code"),
    ("audience", "Đối tượng", "audience"),
    ("job_title", "Chức danh", "job title"),
    ("employee_code", "Mã cán bộ", "employee code"),
]
HEADER_KEYS = {}
for _field, _vi, _en in COLUMNS:
    HEADER_KEYS[fold(_vi)] = _field
    HEADER_KEYS[fold(_en)] = _field
    HEADER_KEYS[_field] = _field
HEADER_KEYS[fold("Thư điện tử")] = "email"
HEADER_KEYS[fold("Điện thoại")] = "phone"


# The file cannot be read, or is over a limit (message in Vietnamese).
ImportFileError = SpreadsheetError


def _refusal() -> str:
    """The one reason for a row matching someone the importer may not update. It says
    nothing of that account (whether it exists, its role, its agency)."""
    return _("This phone number or e-mail cannot be used for a learner of your agencies.")


# --- Reading ----------------------------------------------------------------------------


def iter_rows(path: str, kind: str) -> Iterator[tuple[int, dict]]:
    """Yield (line number, {field: text}) for each non-empty data row, streaming. The XLSX
    archive is checked (cms.spreadsheets) before openpyxl opens it, the rows are capped."""
    if kind == "xlsx":
        with open(path, "rb") as handle:
            spreadsheets.xlsx_archive_check(handle)
    rows = spreadsheets.read_rows(path, kind=kind, max_rows=settings.CAMPAIGNS_IMPORT_MAX_ROWS)
    yield from _map_rows(rows)


def _map_rows(rows) -> Iterator[tuple[int, dict]]:
    header = None
    for number, cells in enumerate(rows, start=1):
        if header is None:
            header = [HEADER_KEYS.get(fold(c)) for c in cells]
            if "full_name" not in header or not ({"email", "phone"} & set(header)):
                raise ImportFileError(
                    _(
                        "The first row must hold the column names of the template "
                        "(at least “Họ và tên” and “Email” or “Số điện thoại”)."
                    )
                )
            continue
        if not any(cells):
            continue
        data = {}
        for field, value in zip(header, cells, strict=False):
            if field:
                data[field] = value
        yield number, data


# --- Checking ---------------------------------------------------------------------------


# "0" or "+84" and 9 digits not starting with 0: how nearly every row of a Vietnamese file
# writes a mobile number (see `_vietnamese_e164`).
_NATIONAL_OR_E164_VN = re.compile(r"(?:0|\+84)([1-9][0-9]{8})")


def _vietnamese_e164(phone: str) -> str | None:
    """`to_e164(phone)` for the common shapes, without libphonenumber's parser (the
    parse is most of to_e164's cost, ~0.1 ms, once per row of a 100,000-row file): the
    national number is known, so libphonenumber only decides its type. A number of an SMS
    type is valid (its type is never UNKNOWN) and +84 has the one region VN, so this
    returns exactly what to_e164 returns; anything else (None) goes through to_e164."""
    matched = _NATIONAL_OR_E164_VN.fullmatch(phone)
    if matched is None:
        return None
    digits = matched.group(1)
    number = phonenumbers.PhoneNumber(country_code=84, national_number=int(digits))
    if phonenumbers.number_type(number) in SMS_TYPES:
        return "+84" + digits
    return None


def normalise_phone(value: str) -> str:
    phone = "".join(ch for ch in value if ch not in " .-()")
    if phone.isdigit() and len(phone) == 9:
        phone = "0" + phone  # a spreadsheet stored 0912... as a number
    # As accounts stores it (E.164), so rows match people.
    return _vietnamese_e164(phone) or to_e164(phone) or phone


def _audience_key(text: str) -> str:
    return " ".join(fold(text).replace(",", " ").replace("/", " ").replace("-", " ").split())


@functools.cache
def _audience_names() -> tuple[dict[str, str], dict[str, str]]:
    """({folded Vietnamese name of a sub-group: sub-group}, the same plus the name of each
    group that has a single sub-group, "Người lao động trong doanh nghiệp"), read from the
    one vocabulary (cms.vocabularies)."""
    names = {}
    with translation.override("vi"):
        for sub in Subgroup:
            names[_audience_key(str(sub.label))] = sub.value
        groups = dict(names)
        for group in Audience:
            members = Subgroup.of_audience(group)
            if len(members) == 1:
                groups.setdefault(_audience_key(str(group.label)), members[0])
    return names, groups


@functools.lru_cache(maxsize=256)
def parse_audience(value: str) -> str | None:
    """A cell's sub-group: its code, or words that read in a row in exactly one sub-group's
    Vietnamese name ("Công chức", "Người lao động", "Học sinh", "doanh nghiệp"), or a
    group's name that has one sub-group; words found in two names ("lao động") are not
    guessed. Remembered per cell text: a file repeats a handful of audiences on every row
    (folding the cell and `Subgroup.values` were a tenth of the check's CPU)."""
    key = _audience_key(value)
    if not key:
        return None
    if key in Subgroup.values:
        return key
    names, groups = _audience_names()
    if key in groups:
        return groups[key]
    found = {sub for name, sub in names.items() if f" {key} " in f" {name} "}
    return found.pop() if len(found) == 1 else None


def check_row(data: dict, agency_codes: dict[str, int]) -> tuple[dict, list[str]]:
    """Normalise one row and list its own problems (cross-row checks come later)."""
    problems = []
    row = {field: data.get(field, "") for field, _vi, _en in COLUMNS}
    if not row["full_name"]:
        problems.append(_("The full name is missing."))
    elif len(row["full_name"]) > 150:
        problems.append(_("The full name is longer than 150 characters."))
    row["email"] = row["email"].lower()
    if row["email"]:
        try:
            validate_email(row["email"])
        except ValidationError:
            problems.append(_("The e-mail “%(value)s” is not valid.") % {"value": row["email"]})
    row["phone"] = normalise_phone(row["phone"])
    if row["phone"]:
        digits = row["phone"][1:] if row["phone"].startswith("+") else row["phone"]
        if not digits.isdigit() or not 9 <= len(digits) <= 15:
            problems.append(
                _("The phone number “%(value)s” is not valid (9 to 15 digits).")
                % {"value": row["phone"]}
            )
    if not row["email"] and not row["phone"]:
        problems.append(_("Give an e-mail or a phone number."))
    if not row["agency_code"]:
        problems.append(_("The agency code is missing."))
    elif row["agency_code"] not in agency_codes:
        problems.append(
            _("The agency code “%(value)s” is unknown (or not one of your agencies).")
            % {"value": row["agency_code"]}
        )
    audience = parse_audience(row["audience"])
    if audience is None:
        problems.append(
            _("The audience “%(value)s” is unknown; use one of: %(choices)s.")
            % {
                "value": row["audience"],
                "choices": ", ".join(str(label) for label in Subgroup.labels),
            }
        )
    else:
        row["audience"] = audience
    if len(row["job_title"]) > 150:
        problems.append(_("The job title is longer than 150 characters."))
    if len(row["employee_code"]) > 64:
        problems.append(_("The employee code is longer than 64 characters."))
    return row, problems


def _importer_agency_codes(user) -> dict[str, int]:
    """{code: id} of the active agencies the importer may put people in (scoped)."""
    return dict(agencies_visible_to(user).filter(is_active=True).values_list("code", "pk"))


def _touch(job_id: int, current: str, /, **fields) -> int:
    """Update the job if it is still in status `current` (a sweep or another runner may
    have moved it on); `updated_at` is the heartbeat the stuck-job sweep reads. Returns
    the number of rows updated."""
    return ImportJob.objects.filter(pk=job_id, status=current).update(
        updated_at=timezone.now(), **fields
    )


def import_check(*, job_id: int) -> ImportJob:
    """The dry run: stage and check every row; nothing outside the staging rows changes.
    Claims the job (uploaded -> checking) so two deliveries of the task never stage it twice.
    Whatever stops it half-way, the job ends failed with the reason, its rows removed."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not _touch(job.pk, ImportJob.Status.UPLOADED, status=ImportJob.Status.VALIDATING):
        return job  # already taken or checked (idempotent)
    try:
        _check(job)
    except Exception as exc:
        log.exception("import %s: the check stopped", job.pk)
        ImportRow.objects.filter(job=job).delete()
        _touch(
            job.pk, ImportJob.Status.VALIDATING, status=ImportJob.Status.FAILED,
            total_rows=0, error_rows=0,
            message=_(
                "The check of the file stopped (%(error)s). Nothing was imported: upload "
                "the file again."
            ) % {"error": exc.__class__.__name__},
        )  # fmt: skip
    job.refresh_from_db()
    return job


def _check(job: ImportJob) -> None:
    ImportRow.objects.filter(job=job).delete()
    codes = _importer_agency_codes(job.created_by)
    kind = spreadsheets.kind_of(job.original_name) or "csv"
    total = 0
    chunk: list[tuple] = []
    try:
        for number, data in iter_rows(job.file.path, kind):
            row, problems = check_row(data, codes)
            chunk.append((number, "\n".join(problems), *(row[f] for f in STAGED_FIELDS)))
            total += 1
            if len(chunk) >= STAGE_CHUNK:
                _stage(job, chunk)
                chunk = []
                if not _touch(job.pk, ImportJob.Status.VALIDATING):
                    return  # the sweep gave up on this job meanwhile: stop here
        _stage(job, chunk)
    except SpreadsheetError as exc:
        ImportRow.objects.filter(job=job).delete()
        _touch(job.pk, ImportJob.Status.VALIDATING, status=ImportJob.Status.INVALID,
               message=str(exc), total_rows=0, error_rows=0)  # fmt: skip
        return
    if total == 0:
        _touch(job.pk, ImportJob.Status.VALIDATING, status=ImportJob.Status.INVALID,
               message=_("The file has no data rows."))  # fmt: skip
        return
    _check_duplicates(job)
    _check_conflicts(job)
    errors = ImportRow.objects.filter(job=job).exclude(problems="").count()
    status = ImportJob.Status.INVALID if errors else ImportJob.Status.READY
    message = (
        _(
            "%(errors)s of %(total)s rows have problems: correct the file and upload it "
            "again. Nothing was imported."
        )
        % {"errors": errors, "total": total}
        if errors
        else _("%(total)s rows are ready to import.") % {"total": total}
    )
    _touch(job.pk, ImportJob.Status.VALIDATING, status=status, total_rows=total,
           error_rows=errors, message=message)  # fmt: skip


STAGED_FIELDS = [field for field, _vi, _en in COLUMNS]


def _stage(job: ImportJob, chunk: list[tuple]) -> None:
    """Insert staged rows (number, problems, *STAGED_FIELDS): PostgreSQL's COPY (one
    stream, no SQL built per value), else bulk_create."""
    if not chunk:
        return
    if connection.vendor == "postgresql":
        columns = ["job_id", "number", "problems", *STAGED_FIELDS]
        table = ImportRow._meta.db_table
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for values in chunk:
                copy.write_row((job.pk, *values))
        return
    ImportRow.objects.bulk_create(
        [
            ImportRow(job=job, number=n, problems=p, **dict(zip(STAGED_FIELDS, v, strict=True)))
            for n, p, *v in chunk
        ]
    )


def _add_problems(job, extra: dict[int, list[str]]) -> None:
    if not extra:
        return
    rows = list(ImportRow.objects.filter(job=job, number__in=list(extra)))
    for row in rows:
        row.problems = "\n".join([p for p in [row.problems] if p] + extra[row.number])
    ImportRow.objects.bulk_update(rows, ["problems"], batch_size=1000)


def _check_duplicates(job) -> None:
    """Rows of the file that share an e-mail, a phone or an employee code."""
    labels = {
        "email": _("The e-mail “%(value)s” appears more than once in the file (rows %(rows)s)."),
        "phone": _(
            "The phone number “%(value)s” appears more than once in the file (rows %(rows)s)."
        ),
        "employee_code": _(
            "The employee code “%(value)s” appears more than once in the file (rows %(rows)s)."
        ),
    }
    extra: dict[int, list[str]] = defaultdict(list)
    for field, label in labels.items():
        dups = (
            ImportRow.objects.filter(job=job)
            .exclude(**{field: ""})
            .values(field)
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list(field, flat=True)
        )
        for value in dups.iterator():
            numbers = list(
                ImportRow.objects.filter(job=job, **{field: value})
                .order_by("number")
                .values_list("number", flat=True)
            )
            text = label % {"value": value, "rows": ", ".join(map(str, numbers))}
            for number in numbers:
                extra[number].append(text)
        if len(extra) > 10000:  # bounded memory on a pathological file
            _add_problems(job, extra)
            extra = defaultdict(list)
    _add_problems(job, extra)


def _check_conflicts(job) -> None:
    """Rows matching someone the importer may not update (`_outside_scope`), or whose
    e-mail, phone and employee code belong to different existing people."""
    batch = settings.CAMPAIGNS_IMPORT_BATCH
    # Only rows that match someone can have these problems: found in the database, so a
    # file of new people costs one query here, not three per batch and a model per row.
    numbers = (
        _matching_anyone(ImportRow.objects.filter(job=job))
        .order_by("number")
        .values_list("number", flat=True)
    )
    last = 0
    while True:
        chunk = list(numbers.filter(number__gt=last)[:batch])
        if not chunk:
            return
        last = chunk[-1]
        rows = list(ImportRow.objects.filter(job=job, number__in=chunk).order_by("number"))
        matches = _match_existing(rows)
        extra: dict[int, list[str]] = defaultdict(list)
        for number, problem in _match_problems(job.created_by, rows, matches).items():
            extra[number].append(problem)
        _add_problems(job, extra)


def _matching_anyone(rows):
    """The staged `rows` (a queryset) whose employee code, e-mail or phone is someone's:
    the rows `_match_existing` would find a person for, in one set-based query (values
    compared as stored: the check wrote them normalised, as accounts stores them)."""
    return rows.filter(
        (~Q(email="") & Exists(User.objects.filter(email=OuterRef("email"))))
        | (~Q(phone="") & Exists(User.objects.filter(phone=OuterRef("phone"))))
        | (
            ~Q(employee_code="")
            & Exists(LearnerProfile.objects.filter(employee_code=OuterRef("employee_code")))
        )
    )


def _match_problems(importer, rows, matches) -> dict[int, str]:
    """{row number: problem} for rows the import may not apply to existing people."""
    outside = _outside_scope(importer, [u for found in matches.values() for u in found])
    problems = {}
    for row in rows:
        found = matches[row.number]
        if any(u.pk in outside for u in found):
            problems[row.number] = _refusal()  # first: it must not depend on the account
        elif len({u.pk for u in found}) > 1:
            problems[row.number] = _(
                "The e-mail, phone number or employee code belong to different existing people."
            )
    return problems


def _outside_scope(importer, users) -> set[int]:
    """Ids of the matched `users` that `importer` may not update: anyone but a plain
    learner (no staff or superuser flag, no manager role, not the importer) whose learner
    profile and current membership are both in the importer's agencies. Three queries."""
    ids = {u.pk for u in users}
    if not ids:
        return set()
    visible = set(agencies_visible_to(importer).values_list("pk", flat=True))
    members = set(
        Membership.objects.filter(
            user_id__in=ids, valid_to__isnull=True, agency_id__in=visible
        ).values_list("user_id", flat=True)
    )
    managers = set(ManagerRole.objects.filter(user_id__in=ids).values_list("user_id", flat=True))
    outside = set()
    for user in users:
        profile = getattr(user, "learner_profile", None)
        if (
            user.is_staff
            or user.is_superuser
            or user.pk == importer.pk
            or user.pk in managers
            or user.pk not in members
            or profile is None
            or profile.agency_id not in visible
        ):
            outside.add(user.pk)
    return outside


def _match_existing(rows) -> dict[int, list[User]]:
    """{row number: existing users matched by employee code, e-mail, phone (in order)}.
    Three queries per batch."""
    codes = {r.employee_code for r in rows if r.employee_code}
    emails = {r.email for r in rows if r.email}
    phones = {r.phone for r in rows if r.phone}
    by_code = {
        p.employee_code: p.user
        for p in LearnerProfile.objects.filter(employee_code__in=codes).select_related(
            "user", "user__learner_profile"
        )
    }
    users = User.objects.select_related("learner_profile")
    by_email = {u.email: u for u in users.filter(email__in=emails)}
    by_phone = {u.phone: u for u in users.filter(phone__in=phones)}
    result = {}
    for row in rows:
        found = []
        for mapping, key in ((by_code, row.employee_code), (by_email, row.email),
                             (by_phone, row.phone)):  # fmt: skip
            if key and key in mapping:
                found.append(mapping[key])
        result[row.number] = found
    return result


# --- Running ----------------------------------------------------------------------------


def _upload_checked(uploaded_file) -> tuple[str, int]:
    """(kind, rows) of an upload within the limits, or ValidationError saying which limit
    it passes, that it is not what its name says or that ClamAV refuses it
    (cms.spreadsheets.upload_check). Reads the zip directory (XLSX) or counts lines (CSV):
    no parser runs."""
    kind = spreadsheets.kind_of(uploaded_file.name)
    if kind is None:
        raise ValidationError(_("Upload a CSV or XLSX file."))
    try:
        rows = spreadsheets.upload_check(
            uploaded_file, kind=kind, size=uploaded_file.size,
            max_bytes=settings.CAMPAIGNS_IMPORT_MAX_BYTES,
            max_rows=settings.CAMPAIGNS_IMPORT_MAX_ROWS, name=uploaded_file.name,
        )  # fmt: skip
    except SpreadsheetError as exc:
        raise ValidationError(str(exc)) from None
    return kind, rows


def _job_store(*, user, uploaded_file, send_invitations: bool) -> tuple[ImportJob, int]:
    _kind, rows = _upload_checked(uploaded_file)
    name = uploaded_file.name or "import.csv"
    job = ImportJob(created_by=user, original_name=name[:255], send_invitations=send_invitations)
    job.file.save(name, uploaded_file, save=False)
    job.save()
    return job, rows


def import_job_create(*, user, uploaded_file, send_invitations: bool = True) -> ImportJob:
    """Store an upload within the limits as a new job (not queued: `import_job_submit`)."""
    return _job_store(user=user, uploaded_file=uploaded_file, send_invitations=send_invitations)[0]


def import_job_submit(*, user, uploaded_file, send_invitations: bool = True) -> ImportJob:
    """Store an upload and queue its check after commit: in the background when it has
    more than CAMPAIGNS_IMPORT_INLINE_ROWS rows (or whenever there is a worker)."""
    job, rows = _job_store(
        user=user, uploaded_file=uploaded_file, send_invitations=send_invitations
    )
    _send("import_check", job.pk, rows=rows)
    return job


def import_run_submit(*, job: ImportJob) -> bool:
    """Queue the run of a checked job after commit (background when it is large). False
    when the job cannot run (not checked, or checked with problems)."""
    if job.status == ImportJob.Status.RUNNING or not _runnable(job):
        return False  # a second click while it runs starts nothing
    _send("import_run", job.pk, rows=job.total_rows)
    return True


def import_job_accept_good_rows(*, job: ImportJob) -> ImportJob:
    """After a dry run with problems: import the rows without problems and leave the others
    out (their file, with the reasons, is `rejected_rows_csv`). The job becomes READY; the
    run then applies only rows without problems. Refused (ValidationError) when the job is
    not a checked one with problems, or has no good row."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    good = ImportRow.objects.filter(job=job, problems="").count()
    if job.status != ImportJob.Status.INVALID or not job.total_rows or not good:
        raise ValidationError(_("This import has no rows that can be imported."))
    left_out = job.total_rows - good
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.READY, error_rows=0, updated_at=timezone.now(),
        message=_("%(good)s rows are ready to import; %(bad)s rows with problems will be "
                  "left out.") % {"good": good, "bad": left_out},
    )  # fmt: skip
    job.refresh_from_db()
    return job


REJECTED_HEADER_REASON = "Lý do"


def rejected_rows_csv(*, job: ImportJob) -> bytes:
    """The rows of `job` with problems, as in the file (same columns), each with its
    reasons in a last column: correct them and upload this file again."""
    rows = [[vi for _field, vi, _en in COLUMNS] + [REJECTED_HEADER_REASON]]
    for row in ImportRow.objects.filter(job=job).exclude(problems="").order_by("number"):
        reasons = row.problems.replace("\n", " ")
        rows.append([row.full_name, row.email, row.phone, row.agency_code, row.audience,
                     row.job_title, row.employee_code, reasons])  # fmt: skip
    return spreadsheets.csv_bytes(rows)


def _send(task_name: str, job_id: int, *, rows: int) -> None:
    """Queue a job's task after commit: with a broker through the outbox (written in the
    caller's transaction, never lost); without one, large jobs on the background thread
    and small ones in the request (the demo)."""
    task = getattr(tasks, task_name)
    if not current_app.conf.task_always_eager:
        task_send(task, [job_id])
    elif rows > settings.CAMPAIGNS_IMPORT_INLINE_ROWS:
        transaction.on_commit(lambda: send_background(task, job_id))
    else:
        transaction.on_commit(lambda: task.delay(job_id))


def _runnable(job: ImportJob) -> bool:
    """Checked without problems: ready, or a run that stopped (resumes). A failed check
    has no rows (total 0) and cannot run."""
    if job.status == ImportJob.Status.READY:
        return True
    return (
        job.status in (ImportJob.Status.FAILED, ImportJob.Status.RUNNING)
        and job.total_rows > 0
        and job.error_rows == 0
    )


class ImportRefused(Exception):
    """Rows that may no longer be applied (the scope changed since the check)."""

    def __init__(self, problems: dict[int, str]):
        self.problems = problems
        super().__init__(problems)


def import_run(*, job_id: int, method: str = "auto") -> ImportJob:
    """Apply a checked job, batch by batch from its checkpoint. Safe to call again after a
    failure (resumes) or after success (does nothing). `method` (see `_apply_batch`):
    "sql" creates new people set-based (PostgreSQL), "python" through the ORM (any
    database); "auto": sql on PostgreSQL, python elsewhere."""
    if method == "auto":
        method = "sql" if connection.vendor == "postgresql" else "python"
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    # A check with problems leaves the job INVALID (not runnable) unless the importer chose
    # to import the good rows only (`import_job_accept_good_rows`): the rows with problems
    # are then left out below.
    if not _runnable(job):
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, message="", updated_at=timezone.now()
    )
    codes = _importer_agency_codes(job.created_by)
    batch = settings.CAMPAIGNS_IMPORT_BATCH
    try:
        while True:
            with transaction.atomic():
                # Lock the job row: two runners (a double click, a redelivered task) take
                # turns batch by batch, each starting after the checkpoint the other committed.
                checkpoint = (
                    ImportJob.objects.select_for_update()
                    .values_list("checkpoint_row", flat=True)
                    .get(pk=job.pk)
                )
                numbers = list(
                    ImportRow.objects.filter(job=job, number__gt=checkpoint, problems="")
                    .order_by("number")
                    .values_list("number", flat=True)[:batch]
                )
                if not numbers:
                    break
                _apply_batch(job, numbers, codes, method=method)
    except ImportRefused as refused:
        _add_problems(job, {n: [p] for n, p in refused.problems.items()})
        numbers = ", ".join(str(n) for n in sorted(refused.problems))
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            error_rows=len(refused.problems),
            updated_at=timezone.now(),
            message=_(
                "The import stopped at rows %(rows)s: %(reason)s Nothing of their batch was "
                "saved. Correct the file and upload it again."
            )
            % {"rows": numbers, "reason": sorted(set(refused.problems.values()))[0]},
        )
        job.refresh_from_db()
        return job
    except Exception as exc:
        log.exception("import %s stopped", job.pk)
        job.refresh_from_db()
        done = ImportRow.objects.filter(job=job, number__lte=job.checkpoint_row).count()
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            updated_at=timezone.now(),
            message=_(
                "The import stopped after %(done)s of %(total)s rows (%(error)s). The rows "
                "before it are saved; nothing of the failed batch was. Run the import again "
                "to continue from row %(next)s."
            )
            % {
                "done": done,
                "total": job.total_rows,
                "error": exc.__class__.__name__,
                "next": job.checkpoint_row + 1,
            },
        )
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    # The summary adds up: new + updated + already up to date (matched, nothing to change)
    # + left out = the file's rows.
    left_out = ImportRow.objects.filter(job=job).exclude(problems="").count()
    unchanged = max(job.total_rows - left_out - job.created_count - job.updated_count, 0)
    message = _(
        "Imported: %(created)s new people, %(updated)s updated, %(unchanged)s already up to date."
    ) % {"created": job.created_count, "updated": job.updated_count, "unchanged": unchanged}
    if left_out:
        message += " " + _("%(n)s rows with problems were left out.") % {"n": left_out}
    pending = PendingEmailChange.objects.filter(job=job, confirmed_at__isnull=True).count()
    if pending:
        message += " " + _(
            "%(n)s people who have signed in before keep their e-mail address until they "
            "confirm the new one: a message with a link was sent to their current address."
        ) % {"n": pending}
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, message=message, updated_at=timezone.now()
    )
    # The uploaded file holds personal data and is no longer needed (the staged rows stay
    # with the job as its record); the name is kept for the history list.
    if job.file.name:
        job.file.storage.delete(job.file.name)
    job.refresh_from_db()
    return job


def _apply_batch(
    job: ImportJob, numbers: list[int], codes: dict[str, int], *, method: str = "python"
) -> None:
    """One transaction: the staged rows `numbers` (the batch, in order) applied, the
    checkpoint and the counters. Rows matching someone go through `_apply_rows` (the
    scope checked again, per-person updates); with method "sql" (PostgreSQL) the rows
    matching nobody create their people set-based (`_people_insert_sql`), else they go
    through `_apply_rows` too. Both give the same rows (tests/campaigns/test_import_speed.py)."""
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        # Rows matching nobody (a file of new people: all of them) skip the match queries.
        staged = ImportRow.objects.filter(
            job=job, number__gte=numbers[0], number__lte=numbers[-1], problems=""
        )
        matched = set(_matching_anyone(staged).values_list("number", flat=True))
        if method == "sql":
            rows = list(staged.filter(number__in=sorted(matched)).order_by("number"))
            new_numbers = [n for n in numbers if n not in matched]
        else:
            rows = list(staged.order_by("number"))
            new_numbers = []
        new_users, changed_ids, pending_changes, user_ids = _apply_rows(
            job, rows, matched, codes, now=now, today=today
        )
        created = [(u.pk, u.email, u.phone) for u in new_users]
        if new_numbers:
            inserted = _people_insert_sql(job, new_numbers, codes, now=now, today=today)
            created += inserted
            user_ids += [pk for pk, _email, _phone in inserted]
        pending_changes = _pending_new(pending_changes)
        PendingEmailChange.objects.bulk_create(pending_changes)
        ImportJob.objects.filter(pk=job.pk).update(
            checkpoint_row=numbers[-1],
            updated_at=timezone.now(),
            created_count=F("created_count") + len(created),
            updated_count=F("updated_count") + len(changed_ids),
        )
        # Invitations: by e-mail, or by SMS for people with only a phone (a set-password link).
        mail_ids = [pk for pk, email, _phone in created if email]
        sms_ids = [pk for pk, email, phone in created if not email and phone]
        if job.send_invitations and mail_ids:
            task_send(tasks.invitations_send, [mail_ids])
        if job.send_invitations and sms_ids:
            task_send(sms_invitations_send, [sms_ids])
        task_send(tasks.assignments_sync_for, [user_ids])
        change_ids = [c.pk for c in pending_changes]
        if change_ids and all(change_ids):
            task_send(tasks.email_change_confirmations_send, [change_ids])
        elif pending_changes:  # backends without RETURNING
            ids = list(
                PendingEmailChange.objects.filter(job=job, confirmed_at__isnull=True)
                .filter(user_id__in=[c.user_id for c in pending_changes])
                .values_list("pk", flat=True)
            )
            task_send(tasks.email_change_confirmations_send, [ids])


def _apply_rows(job, rows, matched, codes, *, now, today):
    """The staged `rows` applied person by person (the ORM, any database): people matched
    by `_match_existing` (only the rows whose numbers are in `matched` can be) updated
    within the importer's scope, the others created. Returns (new users, ids of people
    changed, e-mail changes waiting for confirmation, the rows' user ids in order)."""
    if not rows:
        return [], set(), [], []
    matches = {row.number: [] for row in rows}
    matches.update(_match_existing([row for row in rows if row.number in matched]))
    # The scope again: someone may have become a manager (or moved) since the check.
    refused = _match_problems(job.created_by, rows, matches)
    if refused:
        raise ImportRefused(refused)
    new_users, changed_users = [], []
    pending_changes: list[PendingEmailChange] = []
    user_for_row = {}
    for row in rows:
        found = matches[row.number]
        if found:
            user = found[0]
            before = (user.full_name, user.email, user.phone)
            user.full_name = row.full_name
            if row.email and row.email != user.email and user.last_login is not None:
                # Someone who has signed in keeps their address until they confirm.
                pending_changes.append(
                    PendingEmailChange(
                        user=user, job=job, old_email=user.email, new_email=row.email
                    )  # fmt: skip
                )
            else:
                user.email = row.email or user.email
            user.phone = row.phone or user.phone
            if (user.full_name, user.email, user.phone) != before:
                changed_users.append(user)  # only real changes: a re-run writes nothing
        else:
            user = User(
                email=row.email or None,  # a phone-only person has no address (issue 20)
                full_name=row.full_name,
                # Already E.164 (the check): a plain value, so the field does not parse
                # it again (PhoneNumberField.get_prep_value, ~0.1 ms a number).
                phone=Value(row.phone, output_field=CharField()) if row.phone else None,
                date_joined=now,
            )
            user.set_unusable_password()  # the invitation sets it
            new_users.append(user)
        user_for_row[row.number] = user
    User.objects.bulk_create(new_users)
    for user in new_users:
        if isinstance(user.phone, Value):
            user.phone = user.phone.value
    User.objects.bulk_update(changed_users, ["full_name", "email", "phone"], batch_size=100)
    if any(u.pk is None for u in new_users):  # backends without RETURNING
        by_email = dict(
            User.objects.filter(email__in=[u.email for u in new_users if u.email]).values_list(
                "email", "pk"
            )
        )
        by_phone = dict(
            User.objects.filter(phone__in=[u.phone for u in new_users if not u.email]).values_list(
                "phone", "pk"
            )
        )
        for u in new_users:
            u.pk = u.id = by_email[u.email] if u.email else by_phone[u.phone]
    user_ids = [user_for_row[r.number].pk for r in rows]
    # New agencies or audiences restate these people's rollups (campaigns.reporting.rollups).
    # The people created just now had no rows before: nothing of theirs to take back.
    with rollups_rewrite(user_ids, created=[u.pk for u in new_users]):
        profiles = {p.user_id: p for p in LearnerProfile.objects.filter(user_id__in=user_ids)}
        create_profiles, update_profiles = [], []
        changed_ids = {u.pk for u in changed_users}
        moves: dict[int, int] = {}  # user id -> new agency id
        for row in rows:
            user = user_for_row[row.number]
            agency_id = codes[row.agency_code]
            profile = profiles.get(user.pk)
            if profile is None:
                create_profiles.append(
                    LearnerProfile(
                        user_id=user.pk,
                        agency_id=agency_id,
                        audience=row.audience,
                        job_title=row.job_title,
                        employee_code=row.employee_code or None,
                    )
                )
                moves[user.pk] = agency_id
            else:
                if profile.agency_id != agency_id:
                    moves[user.pk] = agency_id
                fields = ("agency_id", "audience", "job_title", "employee_code")
                before = tuple(getattr(profile, f) for f in fields)
                profile.agency_id = agency_id
                profile.audience = row.audience
                profile.job_title = row.job_title or profile.job_title
                profile.employee_code = row.employee_code or profile.employee_code
                if tuple(getattr(profile, f) for f in fields) != before:
                    update_profiles.append(profile)
                    changed_ids.add(user.pk)
        LearnerProfile.objects.bulk_create(create_profiles)
        LearnerProfile.objects.bulk_update(
            update_profiles,
            ["agency", "audience", "job_title", "employee_code"],
            batch_size=100,
        )
        services.memberships_move(moves=moves, on=today)
    return new_users, changed_ids, pending_changes, user_ids


def _insert_columns(model, given: dict[str, str], values: dict) -> tuple[list[str], str, list]:
    """(columns, their SQL expressions, parameters) of an INSERT ... SELECT into `model`:
    `given` {column: expression over the selected rows}, `values` {column: one value for
    every row}, and every other concrete field (the primary key aside) at the value a new
    instance would save: its default, or now for auto_now(_add) fields. So a field added
    to the model later gets its default here too."""
    instance = model()
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.column in given:
            expressions.append(given[field.column])
        elif field.column in values:
            expressions.append("%s")
            params.append(field.get_db_prep_save(values[field.column], connection))
        elif field.primary_key:
            continue
        else:
            expressions.append("%s")
            params.append(field.get_db_prep_save(field.pre_save(instance, add=True), connection))
        columns.append(field.column)
    return columns, ", ".join(expressions), params


# The people of staged rows matching nobody, in one statement (PostgreSQL): ids taken from
# the users' sequence in the file's order, then the users, their learner profiles and their
# memberships from the same rows. No ON CONFLICT on users: a person who appeared since the
# batch's match (a sign-up) fails the batch, whose next try matches them (with the scope
# check) instead of taking them over.
_PEOPLE_INSERT = """
    WITH src AS MATERIALIZED (
        SELECT nextval(pg_get_serial_sequence(%s, %s)) AS user_id, s.*
        FROM (
            SELECT r.number, r.full_name, NULLIF(r.email, '') AS email,
                   NULLIF(r.phone, '') AS phone, r.audience, r.job_title,
                   NULLIF(r.employee_code, '') AS employee_code, a.id AS agency_id
            FROM {row} r JOIN unnest(%s::text[], %s::bigint[]) AS a(code, id)
                 ON a.code = r.agency_code
            WHERE r.job_id = %s AND r.number = ANY(%s::integer[]) AND r.problems = ''
            ORDER BY r.number
        ) s
    ), users AS (
        INSERT INTO {user} ({user_columns}) SELECT {user_values} FROM src
    ), profiles AS (
        INSERT INTO {profile} ({profile_columns}) SELECT {profile_values} FROM src
    ), memberships AS (
        INSERT INTO {membership} ({membership_columns}) SELECT {membership_values} FROM src
    )
    SELECT user_id, email, phone FROM src ORDER BY number"""


def _people_insert_sql(job, numbers, codes, *, now, today) -> list[tuple[int, str, str]]:
    """PostgreSQL: create the people of the staged rows `numbers` (rows matching nobody)
    set-based, as `_apply_rows` creates them: a user with an unusable password (the
    invitation sets one; no hashing), a learner profile, a membership from `today`, and
    their rollups from the rebuild's SQL (`contributions_sql`). Returns [(user id, e-mail,
    phone)] in the file's order."""
    # Unusable, as set_unusable_password makes it: "!" and 40 random characters.
    unusable = (
        "'!' || left(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 40)"
    )
    inserts = {}
    for key, model, given, values in (
        ("user", User, {"id": "user_id", "password": unusable, "email": "email",
                        "full_name": "full_name", "phone": "phone"}, {"date_joined": now}),
        ("profile", LearnerProfile, {"user_id": "user_id", "agency_id": "agency_id",
                                     "audience": "audience", "job_title": "job_title",
                                     "employee_code": "employee_code"}, {}),
        ("membership", Membership, {"user_id": "user_id", "agency_id": "agency_id"},
         {"valid_from": today}),
    ):  # fmt: skip
        inserts[key] = (model._meta.db_table, *_insert_columns(model, given, values))
    sql = _PEOPLE_INSERT.format(
        row=ImportRow._meta.db_table,
        **{key: table for key, (table, *_rest) in inserts.items()},
        **{f"{key}_columns": ", ".join(c) for key, (_t, c, _e, _p) in inserts.items()},
        **{f"{key}_values": e for key, (_t, _c, e, _p) in inserts.items()},
    )
    params = [User._meta.db_table, User._meta.pk.column, pg_array(codes),
              pg_array(codes.values()), job.pk, pg_array(numbers)]  # fmt: skip
    params += [value for _t, _c, _e, values in inserts.values() for value in values]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        created = cursor.fetchall()
    if len(created) != len(numbers):
        # An agency code no longer among the importer's (`_apply_rows` stops the same way).
        raise KeyError("agency code")
    # New people contributed nothing before: their rollups are what they contribute now.
    rollup_apply(
        contributions_sql(
            "SELECT unnest(%(people)s::bigint[])", {"people": pg_array(c[0] for c in created)}
        )
    )
    return created


def _pending_new(changes: list[PendingEmailChange]) -> list[PendingEmailChange]:
    """Leave out changes already waiting for confirmation (the same file imported again)."""
    if not changes:
        return []
    since = timezone.now() - dt.timedelta(days=email_changes.EMAIL_CHANGE_DAYS)
    waiting = set(
        PendingEmailChange.objects.filter(
            user_id__in=[c.user_id for c in changes], confirmed_at__isnull=True,
            created_at__gte=since,
        ).values_list("user_id", "new_email")
    )  # fmt: skip
    return [c for c in changes if (c.user_id, c.new_email) not in waiting]


def import_jobs_fail_stuck(*, now: dt.datetime | None = None, job_id: int | None = None) -> int:
    """Fail the jobs that made no progress for CAMPAIGNS_IMPORT_STUCK_MINUTES while
    checking or importing (a worker killed, a deploy, a process out of memory): their
    manager sees why instead of a job "checking" forever. A stuck check loses its staged
    rows (upload again); a stuck run keeps its checkpoint (run again to continue). Every
    runner heartbeats `updated_at` per chunk or batch, so a slow job is not a stuck one.
    With `job_id`, that job only: its progress page asks, for the demo has no beat."""
    now = now or timezone.now()
    minutes = settings.CAMPAIGNS_IMPORT_STUCK_MINUTES
    cutoff = now - dt.timedelta(minutes=minutes)
    failed = 0
    stuck = ImportJob.objects.filter(updated_at__lt=cutoff)
    if job_id is not None:
        stuck = stuck.filter(pk=job_id)
    for job_id in stuck.filter(status=ImportJob.Status.VALIDATING).values_list("pk", flat=True):
        with transaction.atomic():
            claimed = ImportJob.objects.filter(
                pk=job_id, status=ImportJob.Status.VALIDATING, updated_at__lt=cutoff
            ).update(
                status=ImportJob.Status.FAILED, total_rows=0, error_rows=0, updated_at=now,
                message=_(
                    "The check of the file stopped responding (no progress for %(minutes)s "
                    "minutes). Nothing was imported: upload the file again."
                ) % {"minutes": minutes},
            )  # fmt: skip
            if claimed:
                ImportRow.objects.filter(job_id=job_id).delete()
                failed += 1
    for job in stuck.filter(status=ImportJob.Status.RUNNING):
        failed += ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.RUNNING, updated_at__lt=cutoff
        ).update(
            status=ImportJob.Status.FAILED, updated_at=now,
            message=_(
                "The import stopped responding (no progress for %(minutes)s minutes). The "
                "rows up to row %(row)s are saved. Run the import again to continue."
            ) % {"minutes": minutes, "row": job.checkpoint_row},
        )  # fmt: skip
    return failed
