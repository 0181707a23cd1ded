"""Issue 13 finding 8, as the attack: hostile spreadsheets uploaded to the learner import and
the question-bank import. A 530 KB XLSX whose shared strings unpack to hundreds of MB, a
1.5-million-row CSV, files over the size limit. Each is refused with a Vietnamese reason,
quickly and in little memory, before openpyxl or the CSV reader sees it. A large legitimate
import goes to the background; a job that dies half-way ends "failed" with its reason, and
the periodic sweep fails jobs stuck in a state.
"""

import datetime as dt
import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessments.models import Question
from campaigns import tasks
from campaigns.models import ImportJob
from tests import factories
from tests.campaigns.conftest import private_import_dir  # noqa: F401 - autouse


@pytest.fixture
def tree(db):
    return factories.agency_tree()


HEADER = "Họ và tên,Email,Số điện thoại,Mã cơ quan,Đối tượng,Chức danh,Mã cán bộ\n"
SST_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _xlsx_bomb(first_row: list[str], unpacked_mb: int = 200) -> bytes:
    """A real workbook (openpyxl wrote it) given a shared-strings part, as Excel writes
    one, padded with `unpacked_mb` MB of tiny strings: deflate packs it about 390 times, so
    the file is about 520 KB. openpyxl reads every shared string into memory on opening."""
    book = openpyxl.Workbook()
    book.active.append(first_row)
    book.active.append(["Nguyễn Văn A", "a@example.vn", "0912345678", "SNV", "Công chức"])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(plain)
    content_types = source.read("[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = source.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdBomb" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        b"</Relationships>",
    )
    replaced = {"[Content_Types].xml": content_types, "xl/_rels/workbook.xml.rels": rels}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in source.infolist():
            bomb.writestr(info.filename, replaced.get(info.filename, source.read(info.filename)))
        with bomb.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(SST_OPEN)
            chunk = b"<si><t>a</t></si>" * 65536  # 1.1 MB
            for _ in range(unpacked_mb * 1024 * 1024 // len(chunk)):
                part.write(chunk)
            part.write(b"</sst>")
    return out.getvalue()


@pytest.fixture(scope="module")
def learner_bomb() -> bytes:
    return _xlsx_bomb(HEADER.strip().split(","))


@pytest.fixture(scope="module")
def bank_bomb() -> bytes:
    from assessments.interchange import xlsx_all_headers

    return _xlsx_bomb(xlsx_all_headers())


def _post_measured(client, url, data) -> tuple[object, float, int]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        response = client.post(url, data)
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return response, elapsed, peak


@pytest.mark.django_db
def test_an_xlsx_shared_strings_bomb_is_refused_by_the_learner_import_before_openpyxl(
    client, tree, learner_bomb, django_capture_on_commit_callbacks
):
    assert 400_000 < len(learner_bomb) < 700_000
    client.force_login(factories.manager(tree["snv"]))
    with django_capture_on_commit_callbacks(execute=True):
        response, elapsed, peak = _post_measured(
            client,
            reverse("campaigns:import_upload"),
            {"file": SimpleUploadedFile("bom.xlsx", learner_bomb)},
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert "bị nén tới" in page and "bị từ chối" in page
    assert not ImportJob.objects.exists()
    # openpyxl would take GBs and minutes (30 s and 255 MB for a tenth of this bomb); the
    # central directory takes none. (The time is the whole request under tracemalloc.)
    assert elapsed < 15, elapsed
    assert peak < 30 * 1024 * 1024, peak


@pytest.mark.django_db
def test_an_xlsx_shared_strings_bomb_is_refused_by_the_question_bank_import(
    client, user_factory, bank_bomb
):
    client.force_login(user_factory(is_superuser=True, is_staff=True))
    response, elapsed, peak = _post_measured(
        client,
        reverse("assessments_bank:import"),
        {"file": SimpleUploadedFile("ngan-hang.xlsx", bank_bomb), "format": "auto",
         "action": "check"},
    )  # fmt: skip
    page = response.content.decode()
    assert "bị nén tới" in page and "bị từ chối" in page
    assert Question.objects.count() == 0
    assert elapsed < 15, elapsed
    assert peak < 30 * 1024 * 1024, peak


@pytest.mark.django_db
def test_a_one_and_a_half_million_row_csv_is_refused_at_the_upload(
    client, tree, django_capture_on_commit_callbacks
):
    """Under the default limits: small enough in bytes (7 bytes a row), far too many rows."""
    body = HEADER.encode() + b",,,,,,\n" * 1_500_000
    assert len(body) < django_settings.CAMPAIGNS_IMPORT_MAX_BYTES
    client.force_login(factories.manager(tree["snv"]))
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("campaigns:import_upload"), {"file": SimpleUploadedFile("lon.csv", body)}
        )
    assert time.monotonic() - started < 20
    page = response.content.decode()
    max_rows = f"{django_settings.CAMPAIGNS_IMPORT_MAX_ROWS:,}".replace(",", ".")
    assert f"nhiều hơn {max_rows} dòng" in page
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_too_many_xlsx_rows_and_too_many_bytes_are_refused(
    client, tree, settings, django_capture_on_commit_callbacks
):
    settings.CAMPAIGNS_IMPORT_MAX_ROWS = 100
    client.force_login(factories.manager(tree["snv"]))
    book = openpyxl.Workbook()
    book.active.append(HEADER.strip().split(","))
    for i in range(101):
        book.active.append([f"Người {i}", f"n{i}@example.vn", "", "SNV", "Công chức"])
    data = io.BytesIO()
    book.save(data)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("campaigns:import_upload"),
            {"file": SimpleUploadedFile("nhieu.xlsx", data.getvalue())},
        )
    assert "nhiều hơn 100 dòng" in response.content.decode()

    settings.CAMPAIGNS_IMPORT_MAX_BYTES = 10_000
    body = HEADER + "Người Thử,thu@example.vn,,SNV,Công chức,,\n" * 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("campaigns:import_upload"),
            {"file": SimpleUploadedFile("to.csv", body.encode())},
        )
    assert "lớn hơn mức cho phép" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_an_oversized_question_bank_file_is_refused(client, user_factory, settings):
    settings.QUESTION_IMPORT_MAX_BYTES = 1000
    client.force_login(user_factory(is_superuser=True, is_staff=True))
    gift = ("::Câu {n}:: 1 + 1 = ? {{=2 ~3 ~4}}\n\n" * 100).encode()
    response = client.post(
        reverse("assessments_bank:import"),
        {"file": SimpleUploadedFile("lon.gift", gift), "format": "auto", "action": "check"},
    )
    assert "lớn hơn mức cho phép" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_large_import_is_checked_in_the_background_not_in_the_request(client, tree, settings):
    from cms import background

    settings.CAMPAIGNS_IMPORT_INLINE_ROWS = 50
    client.force_login(factories.manager(tree["snv"]))
    body = HEADER + "".join(
        f"Người Thứ {i},nguoi{i}@example.vn,,SNV,Công chức,,\n" for i in range(120)
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("campaigns:import_upload"), {"file": SimpleUploadedFile("a.csv", body.encode())}
        )
    assert response.status_code == 302
    # The request stored the file and queued the check; it staged no row itself.
    assert not [q for q in queries.captured_queries if "campaigns_importrow" in q["sql"]]
    assert background.wait_idle(timeout=120)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.READY, job.message
    assert job.total_rows == 120


@pytest.mark.django_db
def test_a_check_that_crashes_half_way_ends_failed_with_its_reason_and_cannot_run(
    client, tree, django_capture_on_commit_callbacks
):
    """The crash: the worker cannot read the stored upload (a worker on another machine
    without the shared folder, a disk gone)."""
    client.force_login(factories.manager(tree["snv"]))
    body = HEADER + "Ngô Văn Minh,minh@example.vn,,SNV,Công chức,,\n"
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(
            reverse("campaigns:import_upload"), {"file": SimpleUploadedFile("a.csv", body.encode())}
        )
    job = ImportJob.objects.get()
    job.file.storage.delete(job.file.name)
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "dừng" in job.message and "FileNotFoundError" in job.message
    assert job.rows.count() == 0
    page = client.get(reverse("campaigns:import_detail", args=[job.pk])).content.decode()
    assert "FileNotFoundError" in page
    # A job whose check never finished cannot be started.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:import_start", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not User.objects.filter(email="minh@example.vn").exists()


@pytest.mark.django_db
def test_the_sweep_fails_jobs_stuck_in_a_state(tree, settings):
    manager = factories.manager(tree["snv"])
    old = timezone.now() - dt.timedelta(minutes=settings.CAMPAIGNS_IMPORT_STUCK_MINUTES + 5)

    def job(status, updated_at):
        created = ImportJob.objects.create(
            created_by=manager, original_name="a.csv", status=status, total_rows=10
        )
        ImportJob.objects.filter(pk=created.pk).update(updated_at=updated_at)
        return created

    stuck_check = job(ImportJob.Status.VALIDATING, old)
    stuck_run = job(ImportJob.Status.RUNNING, old)
    busy = job(ImportJob.Status.VALIDATING, timezone.now())
    done = job(ImportJob.Status.DONE, old)

    result = tasks.import_jobs_sweep.delay().get()
    assert result == {"failed": 2}
    for stuck in (stuck_check, stuck_run):
        stuck.refresh_from_db()
        assert stuck.status == ImportJob.Status.FAILED
        assert "không phản hồi" in stuck.message
    busy.refresh_from_db()
    done.refresh_from_db()
    assert busy.status == ImportJob.Status.VALIDATING and done.status == ImportJob.Status.DONE
    # A stuck run keeps its checked rows and resumes; a stuck check has to be uploaded again.
    assert stuck_run.total_rows == 10 and stuck_check.total_rows == 0

    from cms.celery import app

    schedules = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "campaigns.import_jobs_sweep" in schedules


@pytest.mark.django_db
def test_wagtail_image_and_document_uploads_have_a_size_limit(client, user_factory, settings):
    assert isinstance(django_settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE, int)
    assert isinstance(getattr(django_settings, "WAGTAILDOCS_MAX_UPLOAD_SIZE", None), int)
    from wagtail.documents.models import Document

    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1000
    client.force_login(user_factory(is_superuser=True, is_staff=True))
    big = SimpleUploadedFile("lon.pdf", b"%PDF-1.4\n" + b"0" * 5000)
    response = client.post(
        reverse("wagtaildocs:add"), {"title": "Tài liệu lớn", "file": big, "collection": 1}
    )
    assert not Document.objects.exists()
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_stuck_job_is_failed_when_its_page_asks_for_progress(client, tree, settings):
    """The demo has no beat: a job left "checking" by a web process that died is failed
    when its page polls it (import.js polls every 2 s)."""
    manager = factories.manager(tree["snv"])
    job = ImportJob.objects.create(
        created_by=manager, original_name="a.csv", status=ImportJob.Status.VALIDATING
    )
    old = timezone.now() - dt.timedelta(minutes=settings.CAMPAIGNS_IMPORT_STUCK_MINUTES + 1)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=old)
    client.force_login(manager)
    progress = client.get(reverse("campaigns:import_progress", args=[job.pk])).json()
    assert progress["status"] == "failed"
    assert "không phản hồi" in progress["message"]
