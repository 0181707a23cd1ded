"""The learner import's fast paths (issue 16) give the same result as the slow ones:
the phone shortcut, COPY staging (PostgreSQL), the set-based match and the rollup rewrite
that does not read the "before" of people it has just created."""

import datetime as dt
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.phones import to_e164
from campaigns.agencies import imports
from campaigns.models import (
    ImportJob,
    LearnerProfile,
    Membership,
    RollupDay,
    RollupMonth,
    RollupTotal,
)
from campaigns.reporting import rollups

HEADER = "Họ và tên,Email,Số điện thoại,Mã cơ quan,Đối tượng,Chức danh,Mã cán bộ\n"


def csv_file(body: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("hoc-vien.csv", (HEADER + body).encode("utf-8"))


@pytest.fixture
def admin(user_factory):
    return user_factory(is_superuser=True, is_staff=True)


def new_people(n: int, *, start: int = 0) -> str:
    return "".join(
        f"Người Mới {i},moi{i}@example.vn,{f'09{40_000_000 + i:08d}' if i % 3 else ''},"
        f"SNV,Công chức,Chuyên viên,NM-{i}\n"
        for i in range(start, start + n)
    )


def test_the_phone_shortcut_gives_what_to_e164_gives():
    rng = random.Random(16)
    numbers = [f"{prefix}{rng.randrange(10**8, 10**9)}" for prefix in ("0", "+84")
               for _ in range(3000)]  # fmt: skip
    numbers += [f"0{d}{rng.randrange(10**7, 10**8)}" for d in range(1, 10) for _ in range(50)]
    numbers += ["0241234567", "02412345678", "+842412345678", "0912345678", "+84912345678"]
    for number in numbers:
        fast = imports._vietnamese_e164(number)
        if fast is not None:  # a shortcut taken is exactly libphonenumber's answer
            assert fast == to_e164(number), number
    assert imports._vietnamese_e164("0912345678") == "+84912345678"
    assert imports._vietnamese_e164("0241234567") is None  # a landline: to_e164's refusal
    # Every shape the file may hold still reads as before.
    for typed in ("0912 345 678", "912345678", "84912345678", "+84 912.345.678", "0084912345678"):
        assert imports.normalise_phone(typed) == "+84912345678", typed
    assert imports.normalise_phone("0241234567") == "0241234567"  # refused later, as typed
    assert imports.normalise_phone("12ab") == "12ab"
    assert imports.normalise_phone("") == ""


def test_staged_rows_are_the_checked_rows(tree, admin):
    job = imports.import_job_create(
        user=admin,
        uploaded_file=csv_file(
            "  Nguyễn Văn A ,A@Example.vn,0912 345 678,SNV,cong chuc,Chuyên viên,CB-1\n"
            "Trần Thị B,,912345679,SNV,Viên chức,,\n"
            "Lê C,c@,12ab,MA-LA,phi hành gia,,CB-3\n"
        ),
    )
    job = imports.import_check(job_id=job.pk)
    rows = {r.number: r for r in job.rows.all()}
    assert (rows[2].email, rows[2].phone, rows[2].audience, rows[2].employee_code) == (
        "a@example.vn", "+84912345678", "civil_servant", "CB-1",
    )  # fmt: skip
    assert (rows[3].email, rows[3].phone, rows[3].problems) == ("", "+84912345679", "")
    assert rows[4].phone == "12ab" and len(rows[4].problems.splitlines()) == 4
    assert job.status == ImportJob.Status.INVALID and job.error_rows == 1


def test_a_file_of_new_people_costs_no_match_queries_per_batch(tree, admin, settings):
    """A batch of new people finds that nobody matches in one set-based query (an EXISTS),
    and the run's queries do not grow with the number of rows. Before issue 16's change
    each batch ran the three match queries (employee codes, e-mails, phones) instead."""
    settings.CAMPAIGNS_IMPORT_BATCH = 1000
    counts = {}
    for n in (5, 40):
        job = imports.import_job_create(
            user=admin, uploaded_file=csv_file(new_people(n, start=n * 100)),
            send_invitations=False,
        )  # fmt: skip
        assert imports.import_check(job_id=job.pk).status == ImportJob.Status.READY
        with CaptureQueriesContext(connection) as run:
            done = imports.import_run(job_id=job.pk)
        assert done.status == ImportJob.Status.DONE and done.created_count == n
        counts[n] = len(run.captured_queries)
        match = [
            q["sql"] for q in run.captured_queries
            if "EXISTS" in q["sql"] and q["sql"].startswith('SELECT "campaigns_importrow"')
        ]  # fmt: skip
        assert len(match) == 1  # the set-based match, once for the batch
        rollups_written = [
            q["sql"] for q in run.captured_queries if "INTO campaigns_rollup" in q["sql"]
        ]
        assert len(rollups_written) == 3  # one statement per table, whatever the keys
        if connection.vendor == "postgresql":  # the keys as arrays: no SQL built per value
            assert all("unnest(" in sql for sql in rollups_written)
    assert counts[5] == counts[40]  # not a query per row


def test_rollups_after_an_import_equal_a_rebuild(tree, admin, learner_in):
    existing = learner_in(tree["snv"], employee_code="CU-1", email="cu@example.vn")
    job = imports.import_job_create(
        user=admin,
        uploaded_file=csv_file(new_people(12) + "Người Cũ,cu@example.vn,,SNV,Viên chức,,CU-1\n"),
        send_invitations=False,
    )
    imports.import_check(job_id=job.pk)
    done = imports.import_run(job_id=job.pk)
    assert done.status == ImportJob.Status.DONE
    assert (done.created_count, done.updated_count) == (12, 1)
    existing.refresh_from_db()
    assert existing.learner_profile.audience == "public_employee"

    def tables():
        return [
            sorted(r for r in model.objects.values_list(*cols) if r[-1])  # zero rows: none
            for model, cols in (
                (RollupDay, ("day", "agency_id", "audience", "course_id", "campaign_id",
                             "registered")),
                (RollupMonth, ("month", "agency_id", "audience", "course_id", "campaign_id",
                               "registered")),
                (RollupTotal, ("agency_id", "audience", "course_id", "campaign_id",
                               "registered")),
            )
        ]  # fmt: skip

    live = tables()
    assert (
        sum(row[-1] for row in live[2])
        == User.objects.filter(learner_profile__isnull=False).count()
    )
    rollups.rollups_rebuild(method="python")
    assert tables() == live


class _RolledBack(Exception):
    pass


def _import_and_read(admin, body: str, method: str) -> dict:
    """Check and run `body` with `method`, read what it wrote (no ids: keyed by e-mail or
    phone), then roll it all back so the other method starts from the same database."""
    result = {}
    existing = list(User.objects.values_list("pk", flat=True))
    try:
        with transaction.atomic():
            job = imports.import_job_create(
                user=admin, uploaded_file=csv_file(body), send_invitations=True
            )
            assert imports.import_check(job_id=job.pk).status == ImportJob.Status.READY
            with CaptureQueriesContext(connection) as run:
                done = imports.import_run(job_id=job.pk, method=method)
            result["job"] = (done.status, done.created_count, done.updated_count, done.message,
                             done.checkpoint_row)  # fmt: skip
            result["users"] = sorted((
                (u.email, u.phone, u.full_name, u.is_active, u.is_staff, u.is_superuser,
                 u.phone_verified, u.has_usable_password(), u.last_login,
                 u.date_joined is not None)
                for u in User.objects.exclude(pk=admin.pk)
            ), key=str)  # fmt: skip
            result["profiles"] = sorted(
                LearnerProfile.objects.values_list(
                    "user__email", "user__phone", "agency_id", "audience", "job_title",
                    "employee_code",
                ), key=str,
            )  # fmt: skip
            result["memberships"] = sorted(
                Membership.objects.values_list(
                    "user__email", "user__phone", "agency_id", "valid_from", "valid_to"
                ), key=str,
            )  # fmt: skip
            result["rollups"] = [
                sorted(model.objects.values_list(*cols), key=str)
                for model, cols in (
                    (RollupDay, ("day", "agency_id", "audience", "course_id", "campaign_id",
                                 "registered", "enrolled", "completed", "certified")),
                    (RollupMonth, ("month", "agency_id", "audience", "course_id",
                                   "campaign_id", "registered")),
                    (RollupTotal, ("agency_id", "audience", "course_id", "campaign_id",
                                   "registered")),
                )
            ]  # fmt: skip
            result["passwords"] = set(
                User.objects.exclude(pk__in=existing).values_list("password", flat=True)
            )
            result["queries"] = len(run.captured_queries)
            raise _RolledBack
    except _RolledBack:
        pass
    return result


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
def test_the_set_based_apply_writes_what_the_orm_path_writes(tree, admin, learner_in, settings):
    """The same file (new people with an e-mail, a phone or both, and existing learners
    updated, in batches of 4 that mix both) imported through the ORM path and through
    the set-based path (INSERT ... SELECT from the staged rows, rollups from the rebuild's
    SQL): the same people, profiles, memberships, rollups, counters and message."""
    settings.CAMPAIGNS_IMPORT_BATCH = 4
    learner_in(tree["snv"], employee_code="CU-1", email="cu1@example.vn")
    learner_in(tree["unit"], email="cu2@example.vn", phone="0987000555")
    body = (
        new_people(5)
        + "Người Cũ Một,cu1@example.vn,,SYT,Viên chức,Trưởng phòng,CU-1\n"
        + new_people(4, start=10)
        + "Người Cũ Hai,cu2.moi@example.vn,0987000555,SNV-TC,Công chức,,\n"
        + "Chỉ Có Số,,0977000666,P-HB,Người dân,,\n"
    )
    orm = _import_and_read(admin, body, "python")
    sql = _import_and_read(admin, body, "sql")
    assert orm["job"][:3] == (ImportJob.Status.DONE, 10, 2)
    for part in ("job", "users", "profiles", "memberships", "rollups"):
        assert sql[part] == orm[part], part
    # Every new person has an unusable password of their own (no hash was computed).
    assert len(sql["passwords"]) == 10
    assert all(p.startswith("!") and len(p) == 41 for p in sql["passwords"])
    assert sql["queries"] < orm["queries"]


def test_the_check_folds_each_distinct_audience_once(tree, admin, monkeypatch):
    """A file repeats a few audiences on every row: each distinct cell is read once."""
    imports._audience_names()  # the vocabulary's names, read once per process
    imports.parse_audience.cache_clear()
    folded = []
    real = imports._audience_key
    monkeypatch.setattr(imports, "_audience_key", lambda text: folded.append(text) or real(text))
    body = "".join(
        f"Người {i},nguoi{i}@example.vn,,SNV,{['Công chức', 'viên chức'][i % 2]},,\n"
        for i in range(40)
    )
    job = imports.import_job_create(user=admin, uploaded_file=csv_file(body))
    assert imports.import_check(job_id=job.pk).status == ImportJob.Status.READY
    assert sorted(folded) == ["Công chức", "viên chức"]
    assert set(job.rows.values_list("audience", flat=True)) == {"civil_servant", "public_employee"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's array literals")
def test_pg_array_reads_back_as_the_values(db):
    values = {
        "bigint": [1, 2, None, 3],
        "text": ["civil_servant", 'a "quoted", {braced} \\ value', "", None, "Người dân"],
        "date": [dt.date(2026, 12, 6), None],
    }
    with connection.cursor() as cursor:
        for kind, items in values.items():
            cursor.execute(f"SELECT %s::{kind}[]", [rollups.pg_array(items)])
            assert cursor.fetchone()[0] == items, kind


@pytest.mark.parametrize("method", ["python", "sql"])
def test_a_batch_whose_agency_left_the_importers_scope_writes_nothing(tree, admin, method):
    """An agency closed between the check and the run: its rows' batch fails whole, on
    both paths (the set-based one counts the people it would create)."""
    if method == "sql" and connection.vendor != "postgresql":
        pytest.skip("the set-based path is PostgreSQL's")
    job = imports.import_job_create(
        user=admin, uploaded_file=csv_file(new_people(3)), send_invitations=False
    )
    assert imports.import_check(job_id=job.pk).status == ImportJob.Status.READY
    tree["snv"].is_active = False
    tree["snv"].save(update_fields=["is_active"])
    users = User.objects.count()
    done = imports.import_run(job_id=job.pk, method=method)
    assert done.status == ImportJob.Status.FAILED and done.checkpoint_row == 0
    assert (User.objects.count(), done.created_count) == (users, 0)
    assert not LearnerProfile.objects.filter(employee_code__startswith="NM-").exists()
    assert not RollupTotal.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_new_peoples_rollups_read_the_event_tables_by_person(tree, learner_in):
    """`contributions_sql` of a batch's people reads enrolments, certificates and
    assignments through their user index, never whole: an import runs it once per batch,
    on a database that may hold millions of events. (Without the filter on the events the
    planner scanned the assignments whole, even with sequential scans discouraged.)"""
    people = [learner_in(tree["snv"]).pk for _ in range(3)]
    sql = rollups._deltas_sql("SELECT unnest(%(people)s::bigint[])")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT * FROM ({sql}) d",  # noqa: S608 -- our SQL
            {"tz": "Asia/Ho_Chi_Minh", "people": rollups.pg_array(people)},
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    assert rollups.contributions_sql(
        "SELECT unnest(%(people)s::bigint[])", {"people": rollups.pg_array(people)}
    ) == rollups.contributions(people)
