"""Issue 19, as the attack: a hostile file sent to each upload that is not a package or a
document (those: test_upload_content.py, test_upload_antivirus.py). A program, a web page,
a picture or the EICAR test string renamed as a video, as captions, as a learner import
(.csv, .xlsx), as a roster, as a question bank (.gift, Aiken, Moodle .xml, .xlsx): each is
refused by what it contains, with a Vietnamese reason, before any parser or ffmpeg reads it,
and nothing is stored. With CLAMAV_SOCKET set, an infected file is refused with the
signature's name, and while the scanner is down the upload is refused ("try again later")."""

import datetime as dt
import io
import struct
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from assessments.models import Question
from campaigns.models import Attendance, ImportJob, Session
from cms import media
from cms.models import Video
from tests import factories
from tests.campaigns.conftest import private_import_dir  # noqa: F401 - autouse
from tests.cms.conftest import VTT, _clip_bytes
from tests.security.conftest import EICAR, SIGNATURE

pytestmark = pytest.mark.django_db

INFECTED = f"Trình quét virus phát hiện “{SIGNATURE}.UNOFFICIAL” trong tệp: tệp bị từ chối."
SCANNER_DOWN = "Trình quét virus hiện không hoạt động: vui lòng thử lại sau ít phút."
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
ELF_PROGRAM = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
BINARY = "phải là văn bản nhưng chứa dữ liệu nhị phân."
NOT_XLSX = "không thực sự là tệp .xlsx: nội dung của nó là"
NO_WORKBOOK = "Tệp là một tệp nén zip nhưng không phải bảng tính Excel (.xlsx): tệp bị từ chối."
IMPORT_HEADER = "Họ và tên,Email,Số điện thoại,Mã cơ quan,Đối tượng,Chức danh,Mã cán bộ\n"


def picture(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, fmt)
    return out.getvalue()


def clip() -> bytes:
    """A real 1.5 s H.264/AAC MP4 (the bundled ffmpeg made it)."""
    return _clip_bytes(1.5, "320x240", True)


def with_free_box(data: bytes, payload: bytes) -> bytes:
    """The MP4 with a "free" box (which players skip) holding `payload` at its end."""
    return data + struct.pack(">I4s", 8 + len(payload), b"free") + payload


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "Không phải bảng tính.")
    return out.getvalue()


def workbook(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def admin_client(client, user_factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(user_factory(is_superuser=True, is_staff=True))
    return client


# --- Videos (the video library's admin upload) -------------------------------------------


def post_video(client, name: str, data: bytes, **extra):
    upload = SimpleUploadedFile(name, data, content_type="video/mp4")
    payload = {"title": "Video thử", "captions_language": "vi", "transcript": "",
               "duration_seconds": "30", "file": upload}  # fmt: skip
    return client.post(reverse("wagtailsnippets_cms_video:add"), {**payload, **extra})


@pytest.mark.parametrize(
    "data",
    [HTML, EICAR, picture("JPEG"), picture("PNG"), WINDOWS_PROGRAM, ELF_PROGRAM],
    ids=["html", "eicar", "jpeg", "png", "exe", "elf"],
)
def test_what_is_not_a_video_is_refused_as_a_video(admin_client, data):
    response = post_video(admin_client, "bai-giang.mp4", data)
    assert response.status_code == 200
    assert "Tệp này không phải video. Hãy tải lên video MP4, WebM hoặc MOV." in (
        response.content.decode()
    )
    assert not Video.objects.exists()


def test_an_infected_video_is_refused_with_the_signature_before_ffmpeg_reads_it(
    admin_client, scanning
):
    infected = with_free_box(clip(), EICAR)
    assert media.looks_like_video(infected[:16])  # a real video, still playable...
    response = post_video(admin_client, "bai-giang.mp4", infected)
    assert response.status_code == 200
    assert INFECTED in response.content.decode()  # ...but refused by ClamAV
    assert not Video.objects.exists()


def test_infected_captions_are_refused(admin_client, scanning):
    captions = SimpleUploadedFile("phu-de.vtt", VTT.encode() + b"\nNOTE\n" + EICAR + b"\n")
    response = post_video(admin_client, "bai-giang.mp4", clip(), captions=captions)
    assert INFECTED in response.content.decode()
    assert not Video.objects.exists()


def test_a_clean_video_passes_the_scan(admin_client, scanning):
    captions = SimpleUploadedFile("phu-de.vtt", VTT.encode())
    response = post_video(admin_client, "bai-giang.mp4", clip(), captions=captions)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Video.objects.get().duration_seconds == 30


def test_a_video_is_refused_while_the_scanner_is_down(admin_client, scanner_down):
    response = post_video(admin_client, "bai-giang.mp4", clip())
    assert SCANNER_DOWN in response.content.decode()
    assert not Video.objects.exists()


# --- The learner import (CSV, XLSX) ----------------------------------------------------------


@pytest.fixture
def tree(db):
    return factories.agency_tree()


@pytest.fixture
def manager_client(client, tree):
    client.force_login(factories.manager(tree["snv"]))
    return client


def post_learners(client, name: str, data: bytes) -> str:
    response = client.post(
        reverse("campaigns:import_upload"), {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    return response.content.decode()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("hoc-vien.csv", picture("PNG"), f"“hoc-vien.csv” {BINARY}"),
        ("hoc-vien.csv", WINDOWS_PROGRAM, f"“hoc-vien.csv” {BINARY}"),
        ("hoc-vien.xlsx", picture("PNG"), f"“hoc-vien.xlsx” {NOT_XLSX} image/png."),
        ("hoc-vien.xlsx", HTML, f"“hoc-vien.xlsx” {NOT_XLSX}"),
        ("hoc-vien.xlsx", EICAR, f"“hoc-vien.xlsx” {NOT_XLSX} dữ liệu không nhận dạng được."),
        ("hoc-vien.xlsx", plain_zip(), NO_WORKBOOK),
    ],
    ids=["png-csv", "exe-csv", "png-xlsx", "html-xlsx", "eicar-xlsx", "zip-xlsx"],
)  # fmt: skip
def test_a_learner_import_that_is_not_what_it_says_is_refused(manager_client, name, data, reason):
    assert reason in post_learners(manager_client, name, data)


def test_an_infected_learner_import_is_refused_with_the_signature(manager_client, scanning):
    assert INFECTED in post_learners(manager_client, "hoc-vien.csv", EICAR)
    infected_book = workbook([IMPORT_HEADER.strip().split(","), [EICAR.decode()]])
    assert INFECTED in post_learners(manager_client, "hoc-vien.xlsx", infected_book)


def test_a_learner_import_waits_for_the_scanner(manager_client, scanner_down):
    body = (IMPORT_HEADER + "Người Thử,thu@example.vn,,SNV,Công chức,,\n").encode()
    assert SCANNER_DOWN in post_learners(manager_client, "hoc-vien.csv", body)


def test_a_clean_learner_import_passes_the_scan(manager_client, scanning):
    body = (IMPORT_HEADER + "Người Thử,thu@example.vn,,SNV,Công chức,,\n").encode()
    response = manager_client.post(
        reverse("campaigns:import_upload"), {"file": SimpleUploadedFile("hoc-vien.csv", body)}
    )
    assert response.status_code == 302
    assert ImportJob.objects.count() == 1


# --- A session's roster (CSV) ------------------------------------------------------------


def post_roster(client, agency, data: bytes) -> str:
    now = timezone.now()
    session = Session.objects.create(
        kind=Session.Kind.TRAINING_CLASS, title="Lớp tập huấn", place="Hội trường",
        starts_at=now, ends_at=now + dt.timedelta(hours=2), agency=agency,
    )  # fmt: skip
    client.post(
        reverse("campaigns:session_roster", args=[session.pk]),
        {"file": SimpleUploadedFile("danh-sach.csv", data)},
    )
    assert not Attendance.objects.exists()
    return client.session["roster_result"]


def test_a_roster_that_is_not_text_is_refused(manager_client, tree):
    assert post_roster(manager_client, tree["snv"], picture("PNG")) == (
        "“danh-sach.csv” phải là văn bản nhưng chứa dữ liệu nhị phân."
    )


def test_an_infected_roster_is_refused(manager_client, tree, scanning):
    assert post_roster(manager_client, tree["snv"], EICAR) == INFECTED


# --- The question bank import (GIFT, Aiken, Moodle XML, XLSX) ---------------------------------


def post_bank(client, name: str, data: bytes, fmt: str = "auto") -> str:
    response = client.post(
        reverse("assessments_bank:import"),
        {"file": SimpleUploadedFile(name, data), "format": fmt, "action": "check"},
    )
    assert response.status_code == 200
    assert Question.objects.count() == 0
    return response.content.decode()


@pytest.mark.parametrize(
    ("name", "fmt", "data", "reason"),
    [
        ("cau-hoi.gift", "auto", picture("PNG"), f"“cau-hoi.gift” {BINARY}"),
        ("cau-hoi.txt", "aiken", WINDOWS_PROGRAM, f"“cau-hoi.txt” {BINARY}"),
        ("cau-hoi.xml", "auto", ELF_PROGRAM, f"“cau-hoi.xml” {BINARY}"),
        ("cau-hoi.xlsx", "auto", picture("JPEG"), f"“cau-hoi.xlsx” {NOT_XLSX} image/jpeg."),
        ("cau-hoi.xlsx", "auto", plain_zip(), NO_WORKBOOK),
        ("cau-hoi.dat", "xlsx", HTML, NOT_XLSX),
    ],
    ids=["png-gift", "exe-aiken", "elf-xml", "jpeg-xlsx", "zip-xlsx", "html-as-xlsx"],
)  # fmt: skip
def test_a_question_bank_that_is_not_what_it_says_is_refused(admin_client, name, fmt, data, reason):
    assert reason in post_bank(admin_client, name, data, fmt)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("cau-hoi.gift", "auto"), ("cau-hoi.txt", "aiken"), ("cau-hoi.xml", "auto")],
)
def test_an_infected_question_bank_is_refused_with_the_signature(admin_client, scanning, name, fmt):
    assert INFECTED in post_bank(admin_client, name, EICAR, fmt)


def test_an_infected_question_bank_workbook_is_refused(admin_client, scanning):
    book = workbook([["Nhóm", "Loại"], [EICAR.decode()]])
    assert INFECTED in post_bank(admin_client, "cau-hoi.xlsx", book)


def test_a_question_bank_waits_for_the_scanner(admin_client, scanner_down):
    gift = "::Câu 1:: 1 + 1 = ? {=2 ~3 ~4}\n".encode()
    assert SCANNER_DOWN in post_bank(admin_client, "cau-hoi.gift", gift)


def test_a_clean_question_bank_passes_the_scan(admin_client, scanning):
    gift = "::Câu 1:: 1 + 1 = ? {=2 ~3 ~4}\n".encode()
    response = admin_client.post(
        reverse("assessments_bank:import"),
        {"file": SimpleUploadedFile("cau-hoi.gift", gift), "format": "auto", "action": "check"},
    )
    assert response.status_code == 200
    assert "Câu 1" in response.content.decode()
    assert "Trình quét virus" not in response.content.decode()
