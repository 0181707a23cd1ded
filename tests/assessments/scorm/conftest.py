"""SCORM packages the tests write: a manifest for 1.2 or 2004 with the SCOs asked for."""

import io

import pytest

from tests.assessments.h5p.conftest import build_zip

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
