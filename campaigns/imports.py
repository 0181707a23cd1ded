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
"""

import csv
import io
import logging
from collections import defaultdict
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from campaigns.models import (
    Audience,
    ImportJob,
    ImportRow,
    LearnerProfile,
)
from cms.text import fold, nfc

log = logging.getLogger(__name__)

STAGE_CHUNK = 1000  # staged rows per bulk insert while streaming the file
NO_EMAIL_DOMAIN = "khong-co-email.hocso.invalid"  # placeholder for phone-only learners

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

# Audience cells: the code, or these Vietnamese words (folded).
AUDIENCE_WORDS = {
    "lanh dao": Audience.LEADER,
    "cong chuc": Audience.CIVIL_SERVANT,
    "vien chuc": Audience.PUBLIC_EMPLOYEE,
    "nguoi lao dong": Audience.WORKER,
    "lao dong": Audience.WORKER,
    "lao dong doanh nghiep": Audience.ENTERPRISE_WORKER,
    "doanh nghiep": Audience.ENTERPRISE_WORKER,
    "nguoi dan": Audience.CITIZEN,
    "hoc sinh sinh vien": Audience.PUPIL_STUDENT,
    "hoc sinh": Audience.PUPIL_STUDENT,
    "sinh vien": Audience.PUPIL_STUDENT,
}
AUDIENCE_LABELS_VI = [
    "Lãnh đạo", "Công chức", "Viên chức", "Người lao động", "Lao động doanh nghiệp",
    "Người dân", "Học sinh, sinh viên",
]  # fmt: skip
TEMPLATE_EXAMPLE = [
    "Nguyễn Thị Hồng Nhung",
    "nhung.nth@phutho.gov.vn",
    "0912345678",
    "SNV",
    "Công chức",
    "Chuyên viên",
    "CB-000123",
]


class ImportFileError(Exception):
    """The file cannot be read at all (message in Vietnamese)."""


# --- Reading ----------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).strip()


def iter_rows(path: str, kind: str) -> Iterator[tuple[int, dict]]:
    """Yield (line number, {field: text}) for each non-empty data row, streaming."""
    if kind == "xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise ImportFileError(_("The XLSX file cannot be opened.")) from exc
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
            yield from _map_rows(rows)
        finally:
            book.close()
    else:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            try:
                sample = handle.read(4096)
            except UnicodeDecodeError as exc:
                raise ImportFileError(_("The CSV file must be saved as UTF-8.")) from exc
            handle.seek(0)
            delimiter = ";" if sample.count(";") > sample.count(",") else ","
            try:
                yield from _map_rows(csv.reader(handle, delimiter=delimiter))
            except UnicodeDecodeError as exc:
                raise ImportFileError(_("The CSV file must be saved as UTF-8.")) from exc
            except csv.Error as exc:
                raise ImportFileError(_("The CSV file is malformed.")) from exc


def _map_rows(rows) -> Iterator[tuple[int, dict]]:
    header = None
    for number, raw in enumerate(rows, start=1):
        cells = [_cell(v) for v in raw]
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


def normalise_phone(value: str) -> str:
    phone = "".join(ch for ch in value if ch not in " .-()")
    if phone.isdigit() and len(phone) == 9:
        phone = "0" + phone  # a spreadsheet stored 0912... as a number
    return phone


def parse_audience(value: str) -> str | None:
    key = " ".join(fold(value).replace(",", " ").replace("/", " ").replace("-", " ").split())
    if not key:
        return None
    if key in Audience.values:
        return key
    return AUDIENCE_WORDS.get(key)


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
                "choices": ", ".join(str(label) for label in Audience.labels),
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
    from campaigns.selectors import agencies_visible_to

    return dict(agencies_visible_to(user).filter(is_active=True).values_list("code", "pk"))


def import_check(*, job_id: int) -> ImportJob:
    """The dry run: stage and check every row; nothing outside the staging rows changes."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.VALIDATING):
        return job  # already checked (idempotent)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATING)
    ImportRow.objects.filter(job=job).delete()
    codes = _importer_agency_codes(job.created_by)
    kind = "xlsx" if job.original_name.lower().endswith(".xlsx") else "csv"
    total = 0
    errors = 0
    chunk: list[ImportRow] = []
    try:
        for number, data in iter_rows(job.file.path, kind):
            row, problems = check_row(data, codes)
            chunk.append(ImportRow(job=job, number=number, problems="\n".join(problems), **row))
            total += 1
            errors += bool(problems)
            if len(chunk) >= STAGE_CHUNK:
                ImportRow.objects.bulk_create(chunk)
                chunk = []
        ImportRow.objects.bulk_create(chunk)
    except ImportFileError as exc:
        ImportRow.objects.filter(job=job).delete()
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.INVALID, message=str(exc), total_rows=0, error_rows=0
        )
        job.refresh_from_db()
        return job
    if total == 0:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.INVALID, message=_("The file has no data rows.")
        )
        job.refresh_from_db()
        return job
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
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, total_rows=total, error_rows=errors, message=message
    )
    job.refresh_from_db()
    return job


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
    """Rows whose e-mail and phone belong to two different existing people, or to a person
    outside the importer's agencies (an import never takes over someone else's account)."""
    from campaigns.selectors import agencies_visible_to

    visible = set(agencies_visible_to(job.created_by).values_list("pk", flat=True))
    batch = settings.CAMPAIGNS_IMPORT_BATCH
    last = 0
    while True:
        rows = list(ImportRow.objects.filter(job=job, number__gt=last).order_by("number")[:batch])
        if not rows:
            return
        last = rows[-1].number
        matches = _match_existing(rows)
        extra: dict[int, list[str]] = defaultdict(list)
        for row in rows:
            found = matches[row.number]
            if len({u.pk for u in found}) > 1:
                extra[row.number].append(
                    _(
                        "The e-mail, phone number or employee code belong to different "
                        "existing people."
                    )
                )
            elif found:
                user = found[0]
                profile = getattr(user, "learner_profile", None)
                if (
                    not job.created_by.is_superuser
                    and profile is not None
                    and profile.agency_id is not None
                    and profile.agency_id not in visible
                ):
                    extra[row.number].append(
                        _("This person already belongs to an agency outside yours.")
                    )
        _add_problems(job, extra)


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


def import_job_create(*, user, uploaded_file, send_invitations: bool = True) -> ImportJob:
    name = uploaded_file.name or "import.csv"
    if not name.lower().endswith((".csv", ".xlsx")):
        raise ValidationError(_("Upload a CSV or XLSX file."))
    job = ImportJob(created_by=user, original_name=name[:255], send_invitations=send_invitations)
    job.file.save(name, uploaded_file, save=False)
    job.save()
    return job


def import_run(*, job_id: int) -> ImportJob:
    """Apply a checked job, batch by batch from its checkpoint. Safe to call again after a
    failure (resumes) or after success (does nothing)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status not in (
        ImportJob.Status.READY,
        ImportJob.Status.FAILED,
        ImportJob.Status.RUNNING,
    ):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, message="")
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
                rows = list(
                    ImportRow.objects.filter(job=job, number__gt=checkpoint).order_by("number")[
                        :batch
                    ]
                )
                if not rows:
                    break
                _apply_batch(job, rows, codes)
    except Exception as exc:
        log.exception("import %s stopped", job.pk)
        job.refresh_from_db()
        done = ImportRow.objects.filter(job=job, number__lte=job.checkpoint_row).count()
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
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
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        message=_("Imported: %(created)s new people, %(updated)s updated.")
        % {"created": job.created_count, "updated": job.updated_count},
    )
    # The uploaded file holds personal data and is no longer needed (the staged rows stay
    # with the job as its record); the name is kept for the history list.
    if job.file.name:
        job.file.storage.delete(job.file.name)
    job.refresh_from_db()
    return job


def _apply_batch(job: ImportJob, rows: list[ImportRow], codes: dict[str, int]) -> None:
    """One transaction: users, profiles, memberships, the checkpoint and the counters."""
    from campaigns import services, tasks
    from campaigns.rollups import rollups_rewrite

    today = timezone.localdate()
    with transaction.atomic():
        matches = _match_existing(rows)
        new_users, changed_users = [], []
        user_for_row = {}
        for row in rows:
            found = matches[row.number]
            if found:
                user = found[0]
                before = (user.full_name, user.email, user.phone)
                user.full_name = row.full_name
                user.email = row.email or user.email
                user.phone = row.phone or user.phone
                if (user.full_name, user.email, user.phone) != before:
                    changed_users.append(user)  # only real changes: a re-run writes nothing
            else:
                user = User(
                    email=row.email or f"{row.phone.lstrip('+')}@{NO_EMAIL_DOMAIN}",
                    full_name=row.full_name,
                    phone=row.phone or None,
                    date_joined=timezone.now(),
                )
                user.set_unusable_password()  # the invitation sets it
                new_users.append(user)
            user_for_row[row.number] = user
        User.objects.bulk_create(new_users)
        User.objects.bulk_update(changed_users, ["full_name", "email", "phone"], batch_size=100)
        if any(u.pk is None for u in new_users):  # backends without RETURNING
            by_email = dict(
                User.objects.filter(email__in=[u.email for u in new_users]).values_list(
                    "email", "pk"
                )
            )
            for u in new_users:
                u.pk = u.id = by_email[u.email]
        user_ids = [user_for_row[r.number].pk for r in rows]
        # New agencies or audiences restate these people's rollups (campaigns.rollups).
        with rollups_rewrite(user_ids):
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
        ImportJob.objects.filter(pk=job.pk).update(
            checkpoint_row=rows[-1].number,
            created_count=F("created_count") + len(new_users),
            updated_count=F("updated_count") + len(changed_ids),
        )
        new_ids = [u.pk for u in new_users if not u.email.endswith(NO_EMAIL_DOMAIN)]
        if job.send_invitations and new_ids:
            transaction.on_commit(lambda: tasks.invitations_send.delay(new_ids))
        transaction.on_commit(lambda: tasks.assignments_sync_for.delay(user_ids))


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([vi for _field, vi, _en in COLUMNS])
    writer.writerow(TEMPLATE_EXAMPLE)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Hoc vien")
    sheet.append([vi for _field, vi, _en in COLUMNS])
    sheet.append(TEMPLATE_EXAMPLE)
    notes = book.create_sheet("Huong dan")
    notes.append(["Cột “Đối tượng”: một trong các giá trị sau"])
    for label in AUDIENCE_LABELS_VI:
        notes.append([label])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def activate_site_language():
    """Workers run outside a request: messages are stored in the site's language."""
    translation.activate(settings.LANGUAGE_CODE)
