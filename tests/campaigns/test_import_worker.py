"""An import of 10,000 rows through the real Celery worker (Redis + PostgreSQL)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from campaigns import services
from campaigns.agencies import imports
from campaigns.models import Agency, ImportJob, LearnerProfile

ROWS = 10_000


@pytest.mark.celery_worker
def test_ten_thousand_rows_through_the_real_worker(celery_worker, user_factory):
    from campaigns import tasks

    root = services.agency_create(name="Tỉnh Phú Thọ", code="PT", kind=Agency.Kind.PROVINCE)
    for i in range(10):
        services.agency_create(name=f"Sở {i}", code=f"S{i}", kind="department", parent=root)
    admin = user_factory(is_superuser=True, is_staff=True)
    lines = ["Họ và tên,Email,Số điện thoại,Mã cơ quan,Đối tượng,Chức danh,Mã cán bộ"]
    lines += [
        f"Nguyễn Văn Thứ {i},nguoi{i}@example.vn,,S{i % 10},Công chức,Chuyên viên,CB{i:06d}"
        for i in range(ROWS)
    ]
    upload = SimpleUploadedFile("10k.csv", "\n".join(lines).encode("utf-8"))
    job = imports.import_job_create(user=admin, uploaded_file=upload, send_invitations=False)

    checked = tasks.import_check.delay(job.pk).get(timeout=300)
    assert checked == {"job": job.pk, "status": "ready", "rows": ROWS, "errors": 0}
    result = tasks.import_run.delay(job.pk).get(timeout=600)
    assert result["status"] == "done" and result["created"] == ROWS

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.checkpoint_row == ROWS + 1
    assert User.objects.filter(email__startswith="nguoi").count() == ROWS
    assert LearnerProfile.objects.filter(agency__code="S3").count() == ROWS // 10
    # Re-running the finished job does nothing.
    again = tasks.import_run.delay(job.pk).get(timeout=60)
    assert again["created"] == ROWS and User.objects.count() == ROWS + 1
