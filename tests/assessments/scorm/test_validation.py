"""SCORM packages are recognised from imsmanifest.xml, checked before anything is extracted,
and a refusal says first what the file is not; `manage.py package_check` says the same."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments.h5p.validation import inspect_package as inspect_h5p
from assessments.scorm.validation import SCORM12, SCORM2004, inspect_package
from tests.assessments.h5p.conftest import build_zip, minimal_package
from tests.assessments.scorm.conftest import manifest, scorm_package, scorm_zip

NOT_SCORM = "Đây không phải là gói SCORM"
NOT_H5P = "Đây không phải là gói H5P"

# The fixtures' README: the two golf examples are accepted, the broken packages refused.
FIXTURES = {
    "RuntimeMinimumCalls_SCORM12.zip": ("ok", "Golf Explained - Minimum Run-time Calls", 18),
    "singlescobasic.zip": ("ok", "Golf Explained - Run-time Basic Calls", 1),
    "badscorm.zip": ("refused", "“badscorm/”", 0),
    "invalid.zip": ("refused", NOT_SCORM, 0),
}


def inspect_bytes(data: bytes):
    return inspect_package(io.BytesIO(data))


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_each_scorm_fixture_as_its_readme_says(fixtures_dir, name):
    verdict, text, sco_count = FIXTURES[name]
    result = inspect_package(fixtures_dir / "scorm" / name)
    if verdict == "ok":
        assert result.errors == []
        assert (result.version, result.title) == (SCORM12, text)
        assert len(result.scos) == sco_count
    else:
        assert result.errors[0].startswith(NOT_SCORM), result.errors
        assert any(text in message for message in result.errors), result.errors


def test_multi_sco_package_keeps_the_manifest_order_and_parameters(fixtures_dir):
    result = inspect_package(fixtures_dir / "scorm" / "RuntimeMinimumCalls_SCORM12.zip")
    assert [s.identifier for s in result.scos[:2]] == ["playing_playing_item", "playing_par_item"]
    quiz = next(s for s in result.scos if s.identifier == "playing_quiz_item")
    assert quiz.href == "shared/assessmenttemplate.html?questions=Playing"
    assert quiz.scorm_type == "sco"


@pytest.mark.parametrize(
    ("schemaversion", "version", "edition"),
    [
        ("1.2", SCORM12, "1.2"),
        ("CAM 1.3", SCORM2004, "2004 2nd Edition"),
        ("2004 3rd Edition", SCORM2004, "2004 3rd Edition"),
        ("2004 4th Edition", SCORM2004, "2004 4th Edition"),
        (None, SCORM2004, "2004"),  # no schemaversion: the ADL namespace says it
    ],
)
def test_versions_and_editions(schemaversion, version, edition):
    result = inspect_bytes(scorm_zip(schemaversion=schemaversion))
    assert result.errors == []
    assert (result.version, result.edition) == (version, edition)
    assert result.title == "Khoá học thử"
    assert [(s.identifier, s.href) for s in result.scos] == [
        ("item_sco1", "sco1/index.html"),
        ("item_sco2", "sco2/index.html"),
    ]


def _refused(data: bytes, reason: str):
    result = inspect_bytes(data)
    assert any(reason in message for message in result.errors), result.errors
    return result


def test_unknown_schemaversion_is_refused():
    _refused(scorm_zip(schemaversion="1.1"), "schemaversion “1.1”")


def test_missing_default_organization_is_refused():
    _refused(scorm_zip(default="nowhere"), "tổ chức mặc định “nowhere” không tồn tại")


def test_item_pointing_nowhere_is_refused():
    resources = '<resource identifier="other" type="webcontent" href="sco1/index.html"/>'
    _refused(scorm_zip(scos=("sco1",), resources=resources), "“res_sco1” không tồn tại")


def test_missing_launch_file_is_refused():
    entries = scorm_package()
    del entries["sco2/index.html"]
    _refused(build_zip(entries), "mở “sco2/index.html”, nhưng tệp này không có trong gói")


def test_listed_file_missing_is_refused():
    resources = (
        '<resource identifier="res_sco1" type="webcontent" href="sco1/index.html">'
        '<file href="sco1/index.html"/><file href="sco1/gone.js"/></resource>'
    )
    _refused(scorm_zip(scos=("sco1",), resources=resources), "“sco1/gone.js”")


@pytest.mark.parametrize("href", ["../outside.html", "http://evil.example/x.html", "/etc/x.html"])
def test_launch_outside_the_package_is_refused(href):
    resources = f'<resource identifier="res_sco1" type="webcontent" href="{href}"/>'
    _refused(scorm_zip(scos=("sco1",), resources=resources), "nằm ngoài gói")


def test_no_organization_is_refused():
    xml = (
        manifest()
        .replace('<organization identifier="org">', "<x>")
        .replace("</organization>", "</x>")
    )
    _refused(scorm_zip(manifest_xml=xml), "không có tổ chức (organization) nào")


def test_not_xml_and_wrong_root_are_refused():
    _refused(scorm_zip(manifest_xml="<manifest><unclosed></manifest>"), "không phải XML hợp lệ")
    result = _refused(scorm_zip(manifest_xml="<html/>"), "phần tử gốc")
    assert result.errors[0].startswith(NOT_SCORM)


def test_xml_base_is_applied_to_resources():
    resources = (
        '<resource identifier="res_sco1" type="webcontent" xml:base="sco1/" href="index.html">'
        '<file href="index.html"/></resource>'
    )
    result = inspect_bytes(scorm_zip(scos=("sco1",), resources=resources))
    assert result.errors == []
    assert result.scos[0].href == "sco1/index.html"


def test_server_code_in_a_package_is_refused():
    _refused(scorm_zip({"sco1/shell.php": "<?php system($_GET['c']);"}), "“php”")


def test_macos_folders_are_skipped():
    result = inspect_bytes(scorm_zip({"__MACOSX/._imsmanifest.xml": b"\0", ".DS_Store": b"\0"}))
    assert result.errors == []


def test_h5p_file_given_as_scorm_says_it_is_h5p():
    result = inspect_bytes(build_zip(minimal_package()))
    assert result.errors[0].startswith(NOT_SCORM)
    assert "Đây là gói H5P" in result.errors[1]


def test_scorm_file_given_as_h5p_says_it_is_not_h5p_first(fixtures_dir):
    """Before: a list of "html not allowed in a library" that never said what was wrong."""
    result = inspect_h5p(fixtures_dir / "scorm" / "singlescobasic.zip")
    assert result.errors[0].startswith(NOT_H5P), result.errors
    assert result.errors[1:] == ["Đây là gói SCORM: hãy thêm nó dưới dạng gói SCORM."]


# --- manage.py package_check --------------------------------------------------------------


def run_check(*paths) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("package_check", *map(str, paths), stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return out.getvalue(), exc.returncode
    return out.getvalue(), 0


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_package_check_on_each_scorm_fixture(fixtures_dir, name):
    verdict, text, _count = FIXTURES[name]
    out, code = run_check(fixtures_dir / "scorm" / name)
    if verdict == "ok":
        assert (out, code) == (f"ok scorm12 {text}\n", 0)
    else:
        assert out.startswith(f"refused {NOT_SCORM}") and text in out, out
        assert code == 1


@pytest.mark.django_db
def test_package_check_on_h5p_fixtures(fixtures_dir):
    valid = sorted((fixtures_dir / "h5p" / "valid").glob("*.h5p"))
    out, code = run_check(*valid)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(valid) == 6
    assert all(": ok h5p " in line for line in lines), lines
    assert f"{fixtures_dir}/h5p/valid/H5P.TrueFalse.h5p: ok h5p True/False Question" in lines
    for path in sorted((fixtures_dir / "h5p" / "invalid").glob("*.h5p")):
        out, code = run_check(path)
        assert out.startswith("refused ") and code == 1, (path, out)


@pytest.mark.django_db
def test_package_check_any_refused_file_fails_the_run(fixtures_dir, tmp_path):
    scorm2004 = tmp_path / "course.zip"
    scorm2004.write_bytes(scorm_zip())
    out, code = run_check(scorm2004, fixtures_dir / "scorm" / "invalid.zip")
    assert code == 1
    assert out.splitlines()[0] == f"{scorm2004}: ok scorm2004 Khoá học thử"
    assert out.splitlines()[1].startswith(f"{fixtures_dir}/scorm/invalid.zip: refused ")
