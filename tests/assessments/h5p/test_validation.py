"""The validator reads the central directory first and refuses hostile or broken packages."""

import io
import json
import stat
import zipfile

import pytest

from assessments.h5p.validation import PoolView, inspect_package
from tests.assessments.h5p.conftest import build_zip, minimal_package

VALID = ["H5P.TrueFalse", "H5P.MultiChoice", "H5P.Blanks", "H5P.QuestionSet",
         "H5P.InteractiveVideo", "H5P.CoursePresentation"]  # fmt: skip


def inspect_bytes(data: bytes, pool=None):
    return inspect_package(io.BytesIO(data), pool=pool)


@pytest.mark.parametrize("name", VALID)
def test_each_valid_fixture_passes(fixtures_dir, name):
    result = inspect_package(fixtures_dir / "h5p" / "valid" / f"{name}.h5p")
    assert result.errors == []
    assert result.main_library.startswith(name + " ")
    assert (name, *map(int, result.main_library.split()[1].split("."))) in result.dependencies


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("corrupt_archive", "Tệp không phải là gói .h5p (zip) hợp lệ"),
        ("broken-h5p-json", "h5p.json không phải JSON hợp lệ"),
        ("invalid-h5p-json-schema", "“mainLibrary”"),
        ("invalid-library-directory-name", "không khớp với library.json"),
        ("missing-preloaded-js", "greetingcard.js"),
    ],
)
def test_each_invalid_fixture_is_refused_with_its_reason(fixtures_dir, name, reason):
    result = inspect_package(fixtures_dir / "h5p" / "invalid" / f"{name}.h5p")
    assert not result.ok
    assert any(reason in message for message in result.errors), result.errors


def test_minimal_package_passes():
    assert inspect_bytes(build_zip(minimal_package())).errors == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.js", "“.” hoặc “..”"),
        ("content/../../evil.json", "“.” hoặc “..”"),
        ("/etc/passwd.json", "đường dẫn tuyệt đối"),
        ("C:/evil.json", "đường dẫn tuyệt đối"),
        ("content\\..\\evil.json", "dấu gạch chéo ngược"),
        ("content/a\x00.json", "ký tự NUL"),
        ("content//double.json", "“.” hoặc “..”"),
    ],
)
def test_unsafe_names_are_refused(name, reason):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for entry, data in minimal_package().items():
            zf.writestr(entry, data)
        info = zipfile.ZipInfo("placeholder")
        info.filename = name  # bypass zipfile's own normalisation on write
        zf.writestr(info, b"{}")
    result = inspect_bytes(buffer.getvalue())
    assert any(reason in m for m in result.errors), result.errors


def test_symlink_entry_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for entry, data in minimal_package().items():
            zf.writestr(entry, data)
        link = zipfile.ZipInfo("content/link.json")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    result = inspect_bytes(buffer.getvalue())
    assert any("liên kết tượng trưng" in m for m in result.errors), result.errors


def test_duplicate_and_case_duplicate_names_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for entry, data in minimal_package().items():
            zf.writestr(entry, data)
        with pytest.warns(UserWarning):
            zf.writestr("content/content.json", "{}")
        zf.writestr("content/Image.png", b"x")
        zf.writestr("content/image.PNG", b"y")
    result = inspect_bytes(buffer.getvalue())
    assert any("xuất hiện hai lần" in m for m in result.errors), result.errors
    assert any("chỉ khác nhau chữ hoa" in m for m in result.errors), result.errors


def test_bomb_by_ratio_is_refused_before_extraction():
    data = build_zip(minimal_package({"content/zeros.txt": b"\0" * (20 * 1024 * 1024)}))
    assert len(data) < 200_000
    result = inspect_bytes(data)
    assert any("bom zip" in m for m in result.errors), result.errors


def test_bomb_by_declared_size_is_refused(settings):
    settings.H5P_LIMITS = {"max_file_bytes": 1024 * 1024, "max_total_bytes": 2 * 1024 * 1024}
    big = b"".join(bytes([i % 251]) for i in range(3 * 1024 * 1024 // 1024)) * 1024
    data = build_zip(minimal_package({"content/big.mp4": big}), compression=zipfile.ZIP_STORED)
    result = inspect_bytes(data)
    assert any("MiB mỗi tệp" in m for m in result.errors), result.errors
    assert any("tối đa 2 MiB" in m for m in result.errors), result.errors


def test_ten_thousand_entries_are_refused():
    extra = {f"content/images/{i}.png": b"" for i in range(10_000)}
    result = inspect_bytes(build_zip(minimal_package(extra), compression=zipfile.ZIP_STORED))
    assert len(result.errors) == 1
    assert "10004 mục" in result.errors[0]


@pytest.mark.parametrize(
    "name", ["content/images/xss.svg", "content/evil.html", "content/evil.js",
             "content/style.css", "content/noextension"],
)  # fmt: skip
def test_code_and_markup_in_content_are_refused(name):
    data = build_zip(minimal_package({name: "<svg onload=alert(1)></svg>"}))
    result = inspect_bytes(data)
    assert any("không được phép trong content/" in m for m in result.errors), result.errors


def test_svg_is_allowed_in_a_library_but_html_is_not():
    ok = inspect_bytes(build_zip(minimal_package({"Test.Quiz-1.0/icon.svg": "<svg/>"})))
    assert ok.errors == []
    bad = inspect_bytes(build_zip(minimal_package({"Test.Quiz-1.0/page.html": "<p>"})))
    assert any("không được phép trong thư viện" in m for m in bad.errors), bad.errors


def test_hidden_entries_are_skipped_not_extracted():
    data = build_zip(minimal_package({"__MACOSX/._h5p.json": b"x", "content/.DS_Store": b"x"}))
    result = inspect_bytes(data)
    assert result.errors == []
    names = [i.filename for i in result.content_members]
    assert "content/.DS_Store" not in names


def test_newer_core_api_is_refused():
    entries = minimal_package()
    lib = json.loads(entries["Test.Quiz-1.0/library.json"])
    lib["coreApi"] = {"majorVersion": 2, "minorVersion": 0}
    entries["Test.Quiz-1.0/library.json"] = json.dumps(lib)
    result = inspect_bytes(build_zip(entries))
    assert any("lõi H5P 2.0" in m for m in result.errors), result.errors


def test_library_json_required_fields_and_language_files():
    entries = minimal_package()
    entries["Test.Quiz-1.0/library.json"] = json.dumps({"title": "x", "machineName": "Test.Quiz"})
    result = inspect_bytes(build_zip(entries))
    assert any("majorVersion, minorVersion, patchVersion, runnable" in m for m in result.errors)
    result = inspect_bytes(build_zip(minimal_package({"Test.Quiz-1.0/language/XX!.json": "{}"})))
    assert any("tên tệp ngôn ngữ không hợp lệ" in m for m in result.errors), result.errors


def test_missing_dependency_is_refused_unless_approved_in_the_pool():
    entries = minimal_package()
    lib = json.loads(entries["Test.Quiz-1.0/library.json"])
    lib["preloadedDependencies"] = [
        {"machineName": "H5P.Question", "majorVersion": 1, "minorVersion": 4}
    ]
    entries["Test.Quiz-1.0/library.json"] = json.dumps(lib)
    entries["content/content.json"] = json.dumps({"q": {"library": "H5P.Image 1.1"}})
    result = inspect_bytes(build_zip(entries))
    assert any("H5P.Question 1.4" in m for m in result.errors), result.errors
    assert any("H5P.Image 1.1" in m for m in result.errors), result.errors
    pool = PoolView({("H5P.Question", 1, 4): {}, ("H5P.Image", 1, 1): {}})
    assert inspect_bytes(build_zip(entries), pool=pool).errors == []


def test_main_library_must_be_preloaded():
    entries = minimal_package(
        h5p_json={
            "title": "x",
            "language": "vi",
            "mainLibrary": "Other.Lib",
            "embedTypes": ["div"],
            "preloadedDependencies": [
                {"machineName": "Test.Quiz", "majorVersion": 1, "minorVersion": 0}
            ],
        }  # fmt: skip
    )
    result = inspect_bytes(build_zip(entries))
    assert any("Other.Lib" in m for m in result.errors), result.errors
