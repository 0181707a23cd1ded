"""The learner import's fast paths (issue 16) give the same result as the slow ones:
the phone shortcut, COPY staging (PostgreSQL), the set-based match and the rollup rewrite
that does not read the "before" of people it has just created."""

import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.phones import to_e164
from campaigns.agencies import imports
from campaigns.models import ImportJob, RollupDay, RollupMonth, RollupTotal
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
        match = [q["sql"] for q in run.captured_queries if "EXISTS" in q["sql"]]
        assert len(match) == 1  # the set-based match, once for the batch
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
