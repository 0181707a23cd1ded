"""SCORM packages the tests write: a manifest for 1.2 or 2004 with the SCOs asked for; a
SCO of 2004 as authoring tools make them; a learner in a lesson with a SCORM block in
Chromium (app and content on two origins)."""

import io
import uuid

import pytest

from tests import factories
from tests.assessments.h5p.conftest import build_zip
from tests.conftest import browser_log_in

PAGE = "<!doctype html><title>SCO</title><p>Xin chào</p>"

HEADERS = {
    "1.2": (
        'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
        'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"',
        "scormtype",
    ),
    "2004": (
        'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
        'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"',
        "scormType",
    ),
}


def manifest(
    *,
    schemaversion: str | None = "2004 4th Edition",
    scos: tuple[str, ...] = ("sco1", "sco2"),
    default: str = "org",
    resources: str | None = None,
) -> str:
    family = "1.2" if schemaversion == "1.2" else "2004"
    namespaces, type_attr = HEADERS[family]
    metadata = (
        f"<metadata><schema>ADL SCORM</schema><schemaversion>{schemaversion}</schemaversion>"
        "</metadata>"
        if schemaversion
        else ""
    )
    items = "".join(
        f'<item identifier="item_{s}" identifierref="res_{s}"><title>Phần {s}</title></item>'
        for s in scos
    )
    if resources is None:
        resources = "".join(
            f'<resource identifier="res_{s}" type="webcontent" adlcp:{type_attr}="sco" '
            f'href="{s}/index.html"><file href="{s}/index.html"/></resource>'
            for s in scos
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><manifest identifier="m1" version="1" '
        f"{namespaces}>{metadata}"
        f'<organizations default="{default}"><organization identifier="org">'
        f"<title>Khoá học thử</title>{items}</organization></organizations>"
        f"<resources>{resources}</resources></manifest>"
    )


def scorm_package(
    extra: dict | None = None, *, manifest_xml: str | None = None, **kwargs
) -> dict[str, str | bytes]:
    scos = kwargs.get("scos", ("sco1", "sco2"))
    entries: dict[str, str | bytes] = {"imsmanifest.xml": manifest_xml or manifest(**kwargs)}
    entries.update({f"{s}/index.html": PAGE for s in scos})
    entries.update(extra or {})
    return entries


def scorm_zip(extra: dict | None = None, **kwargs) -> bytes:
    return build_zip(scorm_package(extra, **kwargs))


@pytest.fixture
def package_storage(settings, tmp_path):
    """Private package storage in a temporary folder (uploads, extracted content)."""
    settings.H5P_STORAGE_ROOT = tmp_path / "private"
    return settings.H5P_STORAGE_ROOT


@pytest.fixture
def ready_package(db, package_storage, django_capture_on_commit_callbacks):
    """A SCORM package uploaded through the service and checked (READY) from zip bytes."""
    from assessments.scorm import services
    from assessments.scorm.models import ScormPackage

    def make(data: bytes) -> ScormPackage:
        with django_capture_on_commit_callbacks(execute=True):
            package = services.package_create(title="Khoá", fileobj=io.BytesIO(data))
        package.refresh_from_db()
        assert package.status == ScormPackage.Status.READY, package.error_messages
        return package

    return make


# A SCORM 2004 SCO as authoring tools make them: it finds API_1484_11 in a parent window,
# reads cmi.entry, cmi.location and cmi.suspend_data to resume, commits each answer, and
# ends with "suspend" (Tạm dừng) or a judged result (Nộp bài).
SCO_2004 = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>An toàn số</title>
<style>body{font:16px sans-serif;margin:1rem}label,button{display:block;min-height:44px;
margin:.5rem 0;font-size:16px}input{width:24px;height:24px}</style></head><body>
<h1>An toàn khi dùng mạng</h1><p id="resume"></p>
<fieldset><legend>Có nên đọc mã OTP cho người gọi điện tự xưng là ngân hàng?</legend>
<label><input type="radio" name="otp" value="co"> Có</label>
<label><input type="radio" name="otp" value="khong"> Không</label></fieldset>
<button id="suspend" type="button">Tạm dừng</button>
<button id="submit" type="button">Nộp bài</button><p id="done"></p>
<script>
var api = (function (w) {
  for (var n = 0; !w.API_1484_11 && w.parent !== w && n < 10; n++) w = w.parent;
  return w.API_1484_11;
})(window);
api.Initialize("");
var saved = api.GetValue("cmi.suspend_data");
if (api.GetValue("cmi.entry") === "resume" && saved) {
  document.getElementById("resume").textContent =
    "Tiếp tục từ " + api.GetValue("cmi.location") + ": " + saved;
  document.querySelector('input[value="' + saved + '"]').checked = true;
} else {
  api.SetValue("cmi.completion_status", "incomplete");
}
document.querySelectorAll("input[name=otp]").forEach(function (input) {
  input.addEventListener("change", function () {
    api.SetValue("cmi.location", "cau-1");
    api.SetValue("cmi.suspend_data", input.value);
    api.SetValue("cmi.interactions.0.id", "otp");
    api.SetValue("cmi.interactions.0.type", "choice");
    api.SetValue("cmi.interactions.0.learner_response", input.value);
    api.Commit("");
  });
});
document.getElementById("suspend").addEventListener("click", function () {
  api.SetValue("cmi.exit", "suspend");
  api.SetValue("cmi.session_time", "PT30S");
  api.Commit("");
  api.Terminate("");
});
document.getElementById("submit").addEventListener("click", function () {
  var right = document.querySelector("input[value=khong]").checked;
  api.SetValue("cmi.score.min", "0");
  api.SetValue("cmi.score.max", "1");
  api.SetValue("cmi.score.raw", right ? "1" : "0");
  api.SetValue("cmi.score.scaled", right ? "1" : "0");
  api.SetValue("cmi.success_status", right ? "passed" : "failed");
  api.SetValue("cmi.completion_status", "completed");
  api.SetValue("cmi.exit", "normal");
  api.Terminate("");
});
</script></body></html>"""


@pytest.fixture
def scorm_lesson(home_page, user_factory, two_origins, phone_page):
    """A learner enrolled in a course whose lesson holds one required SCORM block, logged in
    on the phone page: {page, url, learner, lesson}."""
    from courses.services import enrolment_create

    def make(package):
        block_id = str(uuid.uuid4())
        body = [
            factories.text_block("<p>Học phần bên dưới được làm bằng công cụ soạn SCORM.</p>"),
            {"type": "scorm", "id": block_id, "value": {"package": package.pk, "required": True}},
        ]
        course = factories.course(
            lessons=["Bài 1: An toàn số"], bodies=[body], title="Kỹ năng số cơ bản",
            summary="Khoá học thử.", parent=factories.catalogue(home_page),
        )  # fmt: skip
        learner = user_factory()
        enrolment_create(user=learner, course=course, source="self")
        browser_log_in(phone_page, learner, two_origins[0])
        lesson = factories.lessons_of(course)[0]
        phone_page.on("dialog", lambda dialog: dialog.accept())  # "resume?", "save progress?"
        return {"page": phone_page, "url": two_origins[0] + lesson.url, "learner": learner,
                "lesson": lesson, "content_origin": two_origins[1]}  # fmt: skip

    return make
