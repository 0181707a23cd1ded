"""Reads of the certificates app."""

from __future__ import annotations

import re

from django.db.models import Q

from cms.text import fold
from courses.certificates.models import CODE_ALPHABET, CODE_LENGTH, Certificate

_CODE_RE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


def certificate_code_clean(raw: str) -> str | None:
    """The code as stored (upper case, no spaces or dashes), or None if it cannot be one."""
    code = re.sub(r"[\s-]", "", raw or "").upper()
    return code if _CODE_RE.fullmatch(code) else None


def certificate_for_verification(*, code: str) -> Certificate | None:
    """The certificate a public verification page shows: snapshot fields only, no join,
    nothing personal beyond the printed name. One query."""
    code = certificate_code_clean(code)
    if code is None:
        return None
    return (
        Certificate.objects.filter(code=code)
        .only(
            "code",
            "full_name",
            "course_title",
            "issuer",
            "issued_at",
            "revoked_at",
            "signed",
            "render_status",
        )  # fmt: skip
        .first()
    )


def certificates_of_user(*, user):
    """The learner's own certificates, newest first (no joins: snapshots are on the row)."""
    return Certificate.objects.filter(user=user).order_by("-issued_at")


def certificates_admin_search(*, query: str = ""):
    """Admin list: by code (exact, dashes and spaces ignored) or by name (diacritics and
    case ignored, any part)."""
    certificates = Certificate.objects.select_related("user").order_by("-issued_at")
    query = (query or "").strip()
    if not query:
        return certificates
    condition = Q(name_key__contains=fold(query))
    code = certificate_code_clean(query)
    if code:
        condition |= Q(code=code)
    return certificates.filter(condition)


def certificates_by_course(*, user, course_ids) -> dict:
    """{course id: certificate} of the learner's certificates (revoked ones left out) for
    these courses, to link each completed course to its certificate. One query."""
    if user is None or not user.is_authenticated:
        return {}
    rows = Certificate.objects.filter(
        user=user, course_id__in=list(course_ids), revoked_at__isnull=True
    ).only("code", "course_id", "course_title", "issued_at")
    return {c.course_id: c for c in rows}
