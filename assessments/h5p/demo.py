"""Demo H5P activity: HọcSố's own content type, no third-party files.

Identity for other demo loaders (courses/demo.py places it in a lesson):
    H5PPackage.objects.get(slug=DEMO_SLUG)   # DEMO_SLUG = "hocso-demo-otp"
    title "Câu hỏi nhanh: Bảo vệ mã OTP", one question, max score 1 (pass_percent 100 fits).

The library HocSo.QuickCheck 1.0.0 lives in assessments/h5p/demo_library/ (library.json,
quick-check.js, quick-check.css): a JS class that renders one single-choice question with
textContent and emits a top-level xAPI "answered" statement through H5P's API. `load`
builds the .h5p in memory (a deterministic zip: same bytes every run), then goes through
the real services: upload to private storage, validation and extraction, and library
approval by the demo administrator. Idempotent: a second run finds the same package (same
archive hash) ready and approved and changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from assessments.h5p import services
from assessments.h5p.models import H5PPackage

DEMO_SLUG = "hocso-demo-otp"
DEMO_TITLE = "Câu hỏi nhanh: Bảo vệ mã OTP"
LIBRARY_DIR = Path(__file__).resolve().parent / "demo_library"
LIBRARY_FOLDER = "HocSo.QuickCheck-1.0"

H5P_JSON = {
    "title": DEMO_TITLE,
    "language": "vi",
    "mainLibrary": "HocSo.QuickCheck",
    "embedTypes": ["iframe"],
    "license": "CC BY 4.0",
    "authors": [{"name": "HọcSố", "role": "Author"}],
    "preloadedDependencies": [
        {"machineName": "HocSo.QuickCheck", "majorVersion": 1, "minorVersion": 0}
    ],
}

CONTENT_JSON = {
    "question": (
        "Bạn nhận được tin nhắn: “Chúc mừng! Bạn trúng thưởng 5 triệu đồng. Hãy gửi mã OTP "
        "vừa nhận để nhận quà.” Bạn nên làm gì?"
    ),
    "options": [
        {"text": "Gửi mã OTP ngay để không lỡ phần thưởng.", "correct": False},
        {
            "text": "Không đưa mã OTP cho bất kỳ ai, xoá tin nhắn và báo cho nhà mạng.",
            "correct": True,
        },
        {"text": "Gọi lại số điện thoại trong tin nhắn để hỏi cho chắc.", "correct": False},
    ],
    "checkLabel": "Kiểm tra",
    "retryLabel": "Làm lại",
    "chooseFirst": "Hãy chọn một câu trả lời trước.",
    "correctFeedback": (
        "Chính xác! Mã OTP chỉ dành cho chính bạn. Ngân hàng, nhà mạng và cơ quan nhà nước "
        "không bao giờ hỏi mã OTP."
    ),
    "wrongFeedback": (
        "Chưa đúng. Đây là chiêu lừa đảo phổ biến: ai có mã OTP có thể lấy tiền trong tài "
        "khoản của bạn. Không bao giờ đưa mã OTP cho người khác."
    ),
}

FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def build_package() -> bytes:
    """The demo .h5p as bytes; identical on every call (fixed timestamps and order)."""
    entries = {
        "h5p.json": json.dumps(H5P_JSON, ensure_ascii=False, indent=2),
        "content/content.json": json.dumps(CONTENT_JSON, ensure_ascii=False, indent=2),
    }
    for path in sorted((LIBRARY_DIR / LIBRARY_FOLDER).iterdir()):
        entries[f"{LIBRARY_FOLDER}/{path.name}"] = path.read_text(encoding="utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in entries.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def load(stdout) -> H5PPackage:
    data = build_package()
    sha = hashlib.sha256(data).hexdigest()
    admin = (
        get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    package = H5PPackage.objects.filter(slug=DEMO_SLUG).first()
    if package is None:
        with transaction.atomic():
            package = services.package_create(
                title=DEMO_TITLE, fileobj=io.BytesIO(data), slug=DEMO_SLUG,
                original_filename="hocso-demo-otp.h5p", uploaded_by=admin,
            )  # fmt: skip
        action = "created"
    elif package.archive_sha256 != sha:
        with transaction.atomic():
            package = services.package_replace_archive(
                package=package, fileobj=io.BytesIO(data), original_filename="hocso-demo-otp.h5p"
            )
        action = "updated"
    else:
        action = "unchanged"
    # Process here as well (idempotent): with a broker the queued task finds it READY.
    package = services.package_process(package_id=package.pk)
    if package.status != H5PPackage.Status.READY:
        raise RuntimeError(f"demo H5P package refused: {package.error_messages}")
    approved = []
    if admin is not None:
        approved = services.package_approve_libraries(package=package, approved_by=admin)
    playable = services.package_is_playable(package)
    stdout.write(
        f"H5P demo “{package.title}” ({DEMO_SLUG}): {action}, "
        f"{len(approved)} libraries approved, playable={playable}\n"
    )
    return package
