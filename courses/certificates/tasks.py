"""Certificate tasks (queue "certificates"): ids in, one service call, idempotent, retried
with backoff."""

from cms.outbox import task_send
from cms.tasking import task
from courses.certificates.models import Certificate, CertificateTemplate
from courses.certificates.services import (
    certificate_render,
    certificate_render_failed,
    certificate_template_rerender,
)


@task("certificates.render", queue="certificates", retry_on=(Exception,), backoff=5)
def certificate_render_task(certificate_id: int, force: bool = False) -> dict:
    """Render one certificate's PDF (nothing to do when it is current or revoked)."""
    try:
        before, certificate = certificate_render(
            certificate=Certificate(pk=certificate_id), force=force, with_previous_key=True
        )
    except Certificate.DoesNotExist:
        return {"certificate": certificate_id, "result": "gone"}
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        certificate_render_failed(certificate_id=certificate_id, error=error)
        raise
    if certificate.is_revoked:
        result = "revoked"
    elif certificate.render_key == before and not force:
        result = "current"
    else:
        result = "rendered"
    return {"certificate": certificate_id, "code": certificate.code, "result": result}


@task("certificates.rerender_template", queue="certificates", retry_on=(Exception,), backoff=5,
      max_retries=3)  # fmt: skip
def certificates_rerender_template_task(template_id: int, after_id: int = 0) -> dict:
    """After a template change: enqueue renders of its out-of-date certificates, a batch
    at a time (the task re-enqueues itself after a full batch)."""
    template = CertificateTemplate.objects.filter(pk=template_id).first()
    if template is None:
        return {"template": template_id, "result": "gone"}
    count, continue_after = certificate_template_rerender(template=template, after_id=after_id)
    if continue_after is not None:
        task_send(
            certificates_rerender_template_task, [template_id], {"after_id": continue_after},
            queue="certificates", on_commit=False,
        )  # fmt: skip
    return {"template": template_id, "enqueued": count, "continue_after": continue_after}
