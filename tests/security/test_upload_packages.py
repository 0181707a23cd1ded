"""Hostile zips are refused the same way whether they claim to be H5P or SCORM (one zip
check, cms.archives), and a SCORM manifest cannot make the parser expand or fetch anything."""

import io
import os
import stat
import zipfile

import pytest

from assessments.h5p.validation import inspect_package as inspect_h5p
from assessments.scorm.validation import inspect_package as inspect_scorm
from tests.assessments.h5p.conftest import build_zip, minimal_package
from tests.assessments.scorm.conftest import scorm_package

KINDS = {
    "h5p": (minimal_package, inspect_h5p),
    "scorm": (scorm_package, inspect_scorm),
}


def hostile(kind: str, name: str, data: bytes = b"x", *, mode: int = 0o644) -> bytes:
    """A good package of that kind with one more entry, named past zipfile's normalisation."""
    buffer = io.BytesIO(build_zip(KINDS[kind][0]()))
    with zipfile.ZipFile(buffer, "a") as zf:
        info = zipfile.ZipInfo("placeholder")
        info.filename, info.external_attr = name, mode << 16
        zf.writestr(info, data)
    return buffer.getvalue()


def check(kind: str, data: bytes) -> list[str]:
    return KINDS[kind][1](io.BytesIO(data)).errors


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../evil.html", "“.” hoặc “..”"),
        ("/etc/cron.d/x.json", "đường dẫn tuyệt đối"),
        ("C:/Windows/x.json", "đường dẫn tuyệt đối"),
        ("a\\..\\..\\x.json", "dấu gạch chéo ngược"),
        ("content/a\x00.json", "ký tự NUL"),
    ],
)
def test_unsafe_names_are_refused(kind, name, reason):
    errors = check(kind, hostile(kind, name))
    assert any(reason in m for m in errors), errors


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_symlink_is_refused(kind):
    errors = check(
        kind, hostile(kind, "content/link.json", b"/etc/passwd", mode=stat.S_IFLNK | 0o777)
    )
    assert any("liên kết tượng trưng" in m for m in errors), errors


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_zip_bomb_is_refused_before_reading(kind):
    entries, _inspect = KINDS[kind]
    data = build_zip(entries({"content/zeros.txt": b"\0" * (20 * 1024 * 1024)}))
    assert len(data) < 200_000
    assert any("bom zip" in m for m in check(kind, data))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_thousands_of_entries_are_refused(kind):
    entries, _inspect = KINDS[kind]
    extra = {f"content/{i}.txt": b"" for i in range(6000)}
    errors = check(kind, build_zip(entries(extra), compression=zipfile.ZIP_STORED))
    assert len(errors) == 1 and "mục" in errors[0], errors


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<manifest identifier="m"><organizations><organization identifier="o"><title>&d;</title>
</organization></organizations><resources/></manifest>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<manifest identifier="m"><organizations><organization identifier="o"><title>&secret;</title>
</organization></organizations><resources/></manifest>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, XXE, XXE.replace("<?xml", " <?xml")])
def test_manifest_entities_are_refused(xml):
    result = inspect_scorm(io.BytesIO(build_zip(scorm_package(manifest_xml=xml))))
    assert result.errors == ["Tệp imsmanifest.xml không được khai báo DTD hay thực thể (entity)."]
    assert result.title == ""


def test_huge_manifest_is_refused_unread(settings):
    settings.SCORM_LIMITS = {"max_manifest_bytes": 1024 * 1024}
    xml = f"<manifest><!-- {os.urandom(600 * 1024).hex()} --></manifest>"
    result = inspect_scorm(io.BytesIO(build_zip(scorm_package(manifest_xml=xml))))
    assert result.errors == ["Tệp imsmanifest.xml lớn hơn 1 MiB."]
