import io

import openpyxl
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from campaigns.agencies import imports
from campaigns.models import ImportJob, LearnerProfile, Membership

HEADER = "Họ và tên,Email,Số điện thoại,Mã cơ quan,Đối tượng,Chức danh,Mã cán bộ\n"


def csv_file(body: str, name="hoc-vien.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + body).encode("utf-8"))


def run_check(user, upload, **kw):
    job = imports.import_job_create(user=user, uploaded_file=upload, **kw)
    return imports.import_check(job_id=job.pk)


@pytest.fixture
def admin(user_factory):
    return user_factory(is_superuser=True, is_staff=True)


def test_dry_run_lists_every_problem_in_vietnamese_and_changes_nothing(tree, admin, user_factory):
    user_factory(email="da-co@example.vn", full_name="Người Đã Có", phone="0911111111")
    before = (User.objects.count(), LearnerProfile.objects.count(), Membership.objects.count())
    job = run_check(
        admin,
        csv_file(
            "Nguyễn Văn A,khong-phai-email,0912345678,SNV,Công chức,Chuyên viên,CB-1\n"
            "Trần Thị B,b@example.vn,12ab,SNV,Viên chức,,CB-2\n"
            "Lê Văn C,c@example.vn,,MA-LA,cong chuc,,CB-3\n"
            "Phạm Thị D,d@example.vn,,SNV,phi hành gia,,CB-4\n"
            "Hoàng Văn E,trung@example.vn,,SNV,Công chức,,CB-5\n"
            "Hoàng Văn E2,trung@example.vn,,SNV,Công chức,,CB-6\n"
            ",,,SNV,Công chức,,\n"
            "Người Lẫn,da-co@example.vn,0922222222,SNV,Công chức,,\n"
        ),
    )
    user_factory(email="khac@example.vn", phone="0922222222")
    assert job.status == ImportJob.Status.INVALID
    problems = {r.number: r.problems for r in job.rows.exclude(problems="")}
    assert "Email “khong-phai-email” không hợp lệ" in problems[2]
    assert "Số điện thoại “12ab” không hợp lệ" in problems[3]
    assert "Mã cơ quan “MA-LA” không tồn tại" in problems[4]
    assert "Đối tượng “phi hành gia”" in problems[5]
    assert "xuất hiện nhiều lần trong tệp (dòng 6, 7)" in problems[6]
    assert "xuất hiện nhiều lần trong tệp (dòng 6, 7)" in problems[7]
    assert "Thiếu họ và tên" in problems[8]
    # An account with no learner profile is outside anyone's agencies (issue 13): refused.
    assert problems[9] == (
        "Số điện thoại hoặc email này không thể dùng cho người học trong đơn vị của bạn."
    )
    assert job.error_rows == 8
    after = (User.objects.count() - 1, LearnerProfile.objects.count(), Membership.objects.count())
    assert after == before
    # The importer cannot start an invalid job.
    assert imports.import_run(job_id=job.pk).status == ImportJob.Status.INVALID
    assert User.objects.count() - 1 == before[0]


def test_import_creates_people_invites_them_and_is_rerunnable(
    tree, admin, django_capture_on_commit_callbacks, sms_outbox
):
    body = (
        "Nguyễn Thị Hồng Nhung,nhung@example.vn,0912 345 678,SNV-TC,Công chức,Chuyên viên,CB-1\n"
        "Đỗ Văn Hùng,,0987654321,SYT,Người lao động,Lái xe,\n"
    )
    job = run_check(admin, csv_file(body))
    assert job.status == ImportJob.Status.READY, job.message
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.import_run(job_id=job.pk)
    assert job.status == ImportJob.Status.DONE and job.created_count == 2
    nhung = User.objects.get(email="nhung@example.vn")
    assert nhung.phone == "+84912345678" and not nhung.has_usable_password()
    assert nhung.learner_profile.agency == tree["unit"]
    assert job.message == "Đã nhập: 2 người mới, cập nhật 0 người, 0 người đã có sẵn, không đổi."
    assert not job.file.storage.exists(job.file.name)  # the upload is removed when done
    assert nhung.learner_profile.audience == "civil_servant"
    assert User.objects.get(phone="0987654321").learner_profile.audience == "worker"
    assert len(mail.outbox) == 1  # the phone-only person has no address to invite
    assert "/tai-khoan/password/reset/key/" in mail.outbox[0].body
    # ... and is invited by SMS instead, with no made-up address (issue 20).
    hung = User.objects.get(phone="+84987654321")
    assert hung.email is None and not hung.has_usable_password()
    assert [m["to"] for m in sms_outbox] == ["+84987654321"]
    assert "HọcSố" in sms_outbox[0]["text"] and "http" in sms_outbox[0]["text"]
    sms_outbox.clear()
    # Re-run with a moved person and a new job title: matched by employee code, updated.
    mail.outbox.clear()
    again = run_check(
        admin,
        csv_file("Nguyễn Thị Hồng Nhung,nhung.moi@example.vn,,SYT,Công chức,Trưởng phòng,CB-1\n"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = imports.import_run(job_id=again.pk)
    assert again.created_count == 0 and again.updated_count == 1
    nhung.refresh_from_db()
    assert nhung.email == "nhung.moi@example.vn"
    assert nhung.learner_profile.agency == tree["syt"]
    assert nhung.learner_profile.job_title == "Trưởng phòng"
    assert Membership.objects.filter(user=nhung).count() == 1  # same-day move replaces
    assert not mail.outbox and not sms_outbox


def test_a_failed_batch_leaves_it_unwritten_and_the_run_resumes(tree, admin, settings, monkeypatch):
    settings.CAMPAIGNS_IMPORT_BATCH = 2
    rows = "".join(
        f"Người Thứ {i},nguoi{i}@example.vn,,SNV,Công chức,,CB-{i}\n" for i in range(1, 6)
    )
    job = run_check(admin, csv_file(rows), send_invitations=False)
    assert job.status == ImportJob.Status.READY
    real = imports._apply_batch
    calls = {"n": 0}

    def flaky(job, rows, codes, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            real(job, rows, codes, **kw)  # the batch is written...
            raise ConnectionError("database went away")  # ...then fails inside its transaction
        return real(job, rows, codes, **kw)

    monkeypatch.setattr(imports, "_apply_batch", lambda *a, **kw: _atomic(flaky, *a, **kw))
    job = imports.import_run(job_id=job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert job.checkpoint_row == 3  # header = row 1; rows 2-3 were the first batch
    assert "tiếp tục từ dòng 4" in job.message
    assert User.objects.filter(email__startswith="nguoi").count() == 2
    monkeypatch.setattr(imports, "_apply_batch", real)
    job = imports.import_run(job_id=job.pk)
    assert job.status == ImportJob.Status.DONE
    assert User.objects.filter(email__startswith="nguoi").count() == 5
    assert job.created_count == 5


def _atomic(fn, *args, **kw):
    from django.db import transaction

    with transaction.atomic():
        return fn(*args, **kw)


def test_xlsx_import_and_phone_stored_as_number(tree, admin):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([c[1] for c in imports.COLUMNS])
    sheet.append(["Vì Thị Mai", "mai@example.vn", 912345679, "P-HB", "Người dân", None, None])
    out = io.BytesIO()
    book.save(out)
    job = run_check(admin, SimpleUploadedFile("ds.xlsx", out.getvalue()))
    assert job.status == ImportJob.Status.READY, [r.problems for r in job.rows.all()]
    imports.import_run(job_id=job.pk)
    assert User.objects.get(email="mai@example.vn").phone == "+84912345679"


def test_manager_cannot_import_into_another_agency(tree, manager_of):
    manager = manager_of(tree["snv"])
    job = run_check(manager, csv_file("Người Khác,khac@example.vn,,SYT,Công chức,,\n"))
    assert job.status == ImportJob.Status.INVALID
    assert "Mã cơ quan “SYT”" in job.rows.get().problems


def test_unreadable_file_is_refused(tree, admin):
    job = run_check(admin, SimpleUploadedFile("x.csv", b"a;b\n1;2\n"))
    assert job.status == ImportJob.Status.INVALID
    assert "tên cột" in job.message
    with pytest.raises(ValidationError, match="không phải là bảng tính Excel"):
        run_check(admin, SimpleUploadedFile("x.xlsx", b"not a zip"))  # refused on upload


def test_upload_pages_and_template(tree, client, manager_of, django_capture_on_commit_callbacks):
    manager = manager_of(tree["snv"])
    client.force_login(manager)
    template = client.get(reverse("campaigns:import_template", args=["csv"]))
    assert template.content.decode("utf-8").startswith("\ufeffHọ và tên")
    xlsx = client.get(reverse("campaigns:import_template", args=["xlsx"]))
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).active["A1"].value == "Họ và tên"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("campaigns:import_upload"),
            {"file": csv_file("Ngô Văn Minh,minh@example.vn,,SNV,Công chức,,\n")},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (
        client.get(reverse("campaigns:import_progress", args=[job.pk])).json()["status"] == "ready"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:import_start", args=[job.pk]))
    progress = client.get(reverse("campaigns:import_progress", args=[job.pk])).json()
    assert progress["status"] == "done" and progress["percent"] == 100
    assert User.objects.filter(email="minh@example.vn").exists()


def test_the_templates_example_row_passes_and_the_codes_are_listed(tree, client, manager_of):
    """Issue 22: the example row said "SNV" whatever the manager's agency, so a unit's
    manager got the template refused as it stood. The codes they may use are listed."""
    manager = manager_of(tree["unit"])
    client.force_login(manager)
    template = client.get(reverse("campaigns:import_template", args=["csv"])).content
    job = run_check(manager, SimpleUploadedFile("mau.csv", template))
    assert list(job.rows.exclude(problems="").values_list("problems", flat=True)) == []
    assert job.status == ImportJob.Status.READY
    xlsx = client.get(reverse("campaigns:import_template", args=["xlsx"])).content
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert book["Hoc vien"]["D2"].value == "SNV-TC"
    codes = [[c.value for c in row] for row in book["Ma co quan"].iter_rows()]
    assert codes == [["Mã cơ quan", "Tên cơ quan", "Loại"],
                     ["SNV-TC", "Phòng Tổ chức biên chế", codes[1][2]]]  # fmt: skip
    listing = client.get(reverse("campaigns:import_agency_codes")).content.decode("utf-8-sig")
    assert listing.splitlines()[1].startswith("SNV-TC,Phòng Tổ chức biên chế")
    assert "SYT" not in listing and "SNV," not in listing


def test_a_dry_run_with_bad_rows_offers_the_good_rows_and_a_file_of_the_rejected(
    tree, client, manager_of, django_capture_on_commit_callbacks
):
    """Issue 22: one bad row blocked the whole file. Now the page offers "import the 2 good
    rows", gives the rejected rows with their reasons, and the counts add up."""
    manager = manager_of(tree["snv"])
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:import_upload"), {"file": csv_file(
            "Ngô Văn Minh,minh@example.vn,,SNV,Công chức,,\n"
            "Sai Mã,sai@example.vn,,MA-LA,Công chức,,\n"
            "Đinh Thị Hoa,hoa@example.vn,,SNV,Công chức,,\n"
        )})  # fmt: skip
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    page = client.get(reverse("campaigns:import_detail", args=[job.pk])).content.decode()
    assert "Nhập 2 dòng hợp lệ" in page
    rejected = client.get(reverse("campaigns:import_rejected", args=[job.pk]))
    lines = rejected.content.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",Lý do") and len(lines) == 2
    assert lines[1].startswith("Sai Mã,sai@example.vn") and "MA-LA" in lines[1]
    assert "không tồn tại" in lines[1]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:import_accept_good_rows", args=[job.pk]))
        client.post(reverse("campaigns:import_start", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    emails = ["minh@example.vn", "hoa@example.vn", "sai@example.vn"]
    imported = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    assert imported == {"minh@example.vn", "hoa@example.vn"}
    left_out = job.rows.exclude(problems="").count()
    assert job.created_count + job.updated_count + left_out == job.total_rows == 3
    assert job.message == (
        "Đã nhập: 2 người mới, cập nhật 0 người, 0 người đã có sẵn, không đổi. "
        "Đã bỏ qua 1 dòng có lỗi."
    )
    # Someone else's job: not found.
    other = manager_of(tree["syt"])
    client.force_login(other)
    assert client.get(reverse("campaigns:import_rejected", args=[job.pk])).status_code == 404


def test_audience_cells_read_the_one_vocabulary():
    """Issue 17: no word list of its own; the names come from cms.vocabularies.Subgroup in
    Vietnamese (words of exactly one name; "lao động" is in two and is not guessed)."""
    cells = {"Công chức": "civil_servant", "viên chức": "public_employee",
             "Người lao động": "worker", "Doanh nghiệp": "enterprise_worker",
             "Người lao động trong doanh nghiệp": "enterprise_worker", "Người dân": "citizen",
             "Học sinh, sinh viên": "pupil_student", "sinh viên": "pupil_student",
             "leader": "leader", "lao động": None, "Giám đốc": None}  # fmt: skip
    assert {cell: imports.parse_audience(cell) for cell in cells} == cells
