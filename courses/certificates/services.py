"""Writes of the certificates app: issue, render, revoke, re-issue, re-render on change.

`certificate_issue` runs inside the course-completion transaction and only inserts a row
(one per user and course: a UniqueConstraint, with the losing side of a race catching the
IntegrityError inside a savepoint and returning the winner's row). Rendering happens after
commit in a Celery task on queue "certificates" and is idempotent: a certificate whose
stored PDF was drawn from the same inputs (`render_key`) is not drawn again unless forced.
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.inserts import update_row
from cms.outbox import task_send
from cms.prepared import Prepared
from cms.text import fold, nfc
from courses.certificates import render
from courses.certificates.models import (
    BUILTIN_FINGERPRINT,
    CODE_ALPHABET,
    CODE_LENGTH,
    FINGERPRINT_IMAGES,
    FINGERPRINT_TEXT,
    Certificate,
    CertificateTemplate,
    builtin_render_assets,
    template_assets_key,
    template_fingerprint,
)
from courses.certificates.signing import sign_pdf, signing_enabled
from courses.signals import learning_event_send

logger = logging.getLogger(__name__)

SAMPLE_NAME = render.SAMPLE_NAME


def certificate_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _printed_name(user) -> str:
    return (" ".join(nfc(user.full_name).split()) or user.email)[:150]


def _enqueue_render(certificate_id: int, *, force: bool = False) -> None:
    from courses.certificates.tasks import certificate_render_task

    # The outbox: a broker that is down never fails the learner's request and never loses
    # the render (the sweep sends it later); meanwhile the certificate stays "pending" and
    # the owner's download renders it on demand.
    task_send(
        certificate_render_task, [certificate_id], {"force": force}, queue="certificates",
        robust=True,
    )  # fmt: skip


def certificate_issue(*, user, course) -> Certificate:
    """The learner's certificate for the course, created if absent. Safe to call twice or
    concurrently: every caller gets the same row. Call inside the completion transaction;
    rendering is enqueued for after commit."""
    existing = Certificate.objects.filter(user=user, course=course).first()
    if existing is not None:
        return existing
    template = CertificateTemplate.objects.for_course(course.pk)
    full_name = _printed_name(user)
    for _attempt in range(5):
        certificate = Certificate(
            user=user,
            course=course,
            template=template,
            code=certificate_code_new(),
            full_name=full_name,
            name_key=fold(full_name)[:150],
            course_title=nfc(course.title)[:255],
            issuer=template.issuer if template else render.DEFAULT_ISSUER,
            issued_at=timezone.now(),
        )
        # Uniqueness is the database's job (the race below); validate the rest.
        certificate.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():  # a savepoint: the caller's transaction survives
                certificate.save(force_insert=True)
                learning_event_send(
                    user_id=certificate.user_id, course_id=certificate.course_id,
                    measure="certified", when=certificate.issued_at,
                )  # fmt: skip
        except IntegrityError:
            existing = Certificate.objects.filter(user=user, course=course).first()
            if existing is not None:
                return existing  # a concurrent completion issued it first
            continue  # a code collision (about 1 in 10^14): draw another code
        _enqueue_render(certificate.pk)
        return certificate
    raise RuntimeError("Could not draw an unused certificate code in 5 attempts.")


# The render's read: the certificate and, from its template, what the template's fingerprint
# is made of (its text, each image's id, hash and file name), in one query whose SQL is built
# once per process (cms.prepared). The template's assets are cached by that fingerprint
# (render.template_assets), so a template or image changed since is never drawn from the
# cache; the template and its images are read as models only on a miss (`_render_read`).
_FINGERPRINT_INPUTS = {
    **{f"fp_{name}": F(f"template__{name}") for name in FINGERPRINT_TEXT},
    **{
        f"fp_{image}_{part}": F(f"template__{image}__{column}")
        for image in FINGERPRINT_IMAGES
        for part, column in (("id", "id"), ("hash", "file_hash"), ("file", "file"))
    },
}
_RENDER_READ = Prepared(
    "certificate-render",
    lambda pk: Certificate.objects.filter(pk=pk).annotate(**_FINGERPRINT_INPUTS),
    "i",
)


def _cached_template(certificate: Certificate):
    """(assets, fingerprint) of the certificate's template as read with it by _RENDER_READ,
    when the renderer has the assets of that version; else None."""
    if certificate.template_id is None:
        return builtin_render_assets(), BUILTIN_FINGERPRINT
    values = certificate.__dict__
    images = [
        None if values[f"fp_{image}_id"] is None
        else (values[f"fp_{image}_id"], values[f"fp_{image}_hash"], values[f"fp_{image}_file"])
        for image in FINGERPRINT_IMAGES
    ]  # fmt: skip
    fingerprint = template_fingerprint(*(values[f"fp_{n}"] for n in FINGERPRINT_TEXT), images)
    assets = render.cached_template_assets(
        template_assets_key(certificate.template_id, fingerprint)
    )
    return None if assets is None else (assets, fingerprint)


def _render_read(certificate_id: int):
    """(the certificate, its template's assets, fingerprint) for a render: one query when
    the assets of the template's current version are cached, else the certificate read
    again with its template and images, whose assets are then prepared."""
    certificate = _RENDER_READ.first(certificate_id)
    if certificate is None:
        raise Certificate.DoesNotExist("Certificate matching query does not exist.")
    found = _cached_template(certificate)
    if found is not None:
        return certificate, *found
    certificate = Certificate.objects.select_related(
        "template__logo", "template__signature_image", "template__background"
    ).get(pk=certificate_id)
    template = certificate.template
    if template is None:
        return certificate, builtin_render_assets(), BUILTIN_FINGERPRINT
    return certificate, template.render_assets(), template.fingerprint()


def _render_inputs(certificate: Certificate, assets, fingerprint):
    issued_on = timezone.localtime(certificate.issued_at).date()
    content = render.CertificateContent(
        full_name=certificate.full_name,
        course_title=certificate.course_title,
        issued_on=issued_on,
        code=certificate.code,
        verify_url=certificate.verify_url,
    )
    sign = signing_enabled()
    key = hashlib.sha256(
        "\x1f".join(
            [fingerprint, content.full_name, content.course_title, content.code,
             issued_on.isoformat(), content.verify_url, f"signed:{sign}"]
        ).encode()
    ).hexdigest()  # fmt: skip
    return content, sign, key


def _is_current(certificate: Certificate, key: str) -> bool:
    return (
        certificate.render_status == Certificate.RenderStatus.RENDERED
        and certificate.render_key == key
        and bool(certificate.pdf)
    )


def certificate_render(
    *, certificate: Certificate, force: bool = False, with_previous_key: bool = False
):
    """Draw (and sign, when configured) the certificate's PDF and store it privately.

    Idempotent: when the stored PDF was drawn from the same inputs nothing happens unless
    `force`. Revoked certificates are not drawn. Concurrent renders of one certificate
    keep exactly one file (a compare-and-swap on the stored file name).
    Returns the certificate, or (its render_key before, the certificate) when
    with_previous_key (the task reports whether it drew anything)."""
    certificate, assets, fingerprint = _render_read(certificate.pk)
    before = certificate.render_key

    def done(result):
        return (before, result) if with_previous_key else result

    if certificate.is_revoked:
        return done(certificate)
    content, sign, key = _render_inputs(certificate, assets, fingerprint)
    if not force and _is_current(certificate, key):
        return done(certificate)

    pdf = render.render_certificate_pdf(content, assets)
    if sign:
        pdf = sign_pdf(pdf, reason=f"Chứng chỉ HọcSố {certificate.code}", location=assets.issuer)
    storage = certificate.pdf.storage
    # A fresh, unguessable name per render, swapped in by one compare-and-swap UPDATE:
    # it succeeds only if the row still holds the file we read (no concurrent render
    # swapped it meanwhile) and is not revoked. The loser deletes its own file.
    new_name = storage.save(
        f"certificates/{certificate.code}-{secrets.token_hex(8)}.pdf", ContentFile(pdf)
    )
    old_name = certificate.pdf.name
    certificate.pdf.name = new_name
    certificate.signed, certificate.issuer = sign, assets.issuer
    certificate.render_status = Certificate.RenderStatus.RENDERED
    certificate.render_key, certificate.template_fingerprint = key, fingerprint
    certificate.rendered_at, certificate.render_error = timezone.now(), ""
    swapped = update_row(
        certificate, _SWAP_FIELDS, only_if={"pdf": old_name, "revoked_at": None}
    ) == 1  # fmt: skip
    to_delete = old_name if swapped else new_name
    if to_delete:  # once the swap is committed (at once in the task: autocommit)
        transaction.on_commit(lambda: storage.delete(to_delete))
    if not swapped:
        return done(Certificate.objects.get(pk=certificate.pk))
    return done(certificate)


_SWAP_FIELDS = ("pdf", "signed", "issuer", "render_status", "render_key",
                "template_fingerprint", "rendered_at", "render_error", "updated_at")  # fmt: skip


STAFF_VIEW_PERMISSION = "certificates.view_certificate"


def certificate_pdf_for_staff(*, certificate: Certificate, user) -> Certificate:
    """A learner's certificate PDF for a staff member (the admin's download view calls this,
    and only this: the privacy issue's audit log records staff access here).

    Needs the certificates' view permission (superusers have it); the learner's own link
    (`/chung-chi/<code>/tai-ve/`) serves the owner only. A revoked certificate has no PDF
    to give (ValidationError). Renders on demand when the worker has not drawn it yet."""
    if user is None or not (user.is_active and user.has_perm(STAFF_VIEW_PERMISSION)):
        raise PermissionDenied
    if certificate.is_revoked:
        raise ValidationError(
            _("This certificate was revoked; its PDF can no longer be downloaded.")
        )
    return certificate_render(certificate=certificate)


def certificate_render_failed(*, certificate_id: int, error: str) -> None:
    """Record why rendering failed (the task retries; admins see the reason)."""
    Certificate.objects.filter(pk=certificate_id).exclude(
        render_status=Certificate.RenderStatus.RENDERED
    ).update(render_status=Certificate.RenderStatus.FAILED, render_error=error[:500])


def certificate_revoke(*, certificate: Certificate, reason: str) -> Certificate:
    """Revoke: the row stays, the verification page says "revoked" with the date, the PDF
    is no longer served. Revoking a revoked certificate changes nothing."""
    reason = " ".join(nfc(reason).split())
    if not reason:
        raise ValidationError(_("Give the reason for revoking the certificate."))
    with transaction.atomic():
        won = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoke_reason=reason[:300], updated_at=timezone.now()
        )
        if won:  # reports count certificates still valid, on the day they were issued
            learning_event_send(
                user_id=certificate.user_id, course_id=certificate.course_id,
                measure="certified", when=certificate.issued_at, delta=-1,
            )  # fmt: skip
    certificate.refresh_from_db()
    return certificate


def certificate_reissue(*, certificate: Certificate) -> Certificate:
    """Re-issue with the same code: lift a revocation, take the learner's current name
    (e.g. after a spelling correction), the course's current title and template, and
    re-render. A printed copy's QR code keeps pointing at this certificate."""
    with transaction.atomic():
        locked = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("user", "course")
            .get(pk=certificate.pk)
        )
        if locked.revoked_at is not None:  # valid again: counted again on its issue day
            learning_event_send(
                user_id=locked.user_id, course_id=locked.course_id, measure="certified",
                when=locked.issued_at,
            )  # fmt: skip
        locked.full_name = _printed_name(locked.user)
        locked.name_key = fold(locked.full_name)[:150]
        if locked.course is not None:
            locked.course_title = nfc(locked.course.title)[:255]
            locked.template = CertificateTemplate.objects.for_course(locked.course_id)
        locked.revoked_at = None
        locked.revoke_reason = ""
        locked.render_status = Certificate.RenderStatus.PENDING
        locked.full_clean(validate_unique=False, validate_constraints=False)
        locked.save(
            update_fields=[
                "full_name", "name_key", "course_title", "template", "revoked_at",
                "revoke_reason", "render_status", "updated_at",
            ]
        )  # fmt: skip
        _enqueue_render(locked.pk, force=True)
    return locked


# Bounded batches: one query of ids per batch, one render task per certificate; the task
# continues after the last id of a full batch.
RERENDER_BATCH = 500


def certificate_template_rerender(
    *, template: CertificateTemplate, after_id: int = 0
) -> tuple[int, int | None]:
    """Enqueue a render of up to RERENDER_BATCH valid certificates of this template drawn
    from an older version of it (ids above after_id). Returns (how many, the id to continue
    after, or None when done). Idempotent: the renders are."""
    from courses.certificates.tasks import certificate_render_task

    ids = list(
        Certificate.objects.out_of_date(template=template)
        .filter(pk__gt=after_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:RERENDER_BATCH]
    )
    for certificate_id in ids:  # in the outbox first: a dead broker loses none of them
        task_send(certificate_render_task, [certificate_id], queue="certificates", on_commit=False)
    return len(ids), (ids[-1] if len(ids) == RERENDER_BATCH else None)


def certificate_sample_pdf(*, template: CertificateTemplate | None) -> bytes:
    """A preview of the template with sample data (not stored, never signed)."""
    from django.conf import settings

    assets = template.render_assets() if template is not None else builtin_render_assets()
    return render.sample_pdf(assets, origin=settings.APP_ORIGIN)
