"""Celery tasks of the H5P app (queue "media"): ids in, one service call."""

from celery import shared_task


@shared_task(
    name="h5p.process_package",
    queue="media",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=4,
)
def process_package(package_id: int) -> dict:
    """Validate and extract one uploaded package. Idempotent: a package already READY or
    FAILED is left as it is. OSError (a full or absent disk) retries with backoff."""
    from assessments.h5p.services import package_process

    package = package_process(package_id=package_id)
    return {"package": package.pk, "status": package.status, "reasons": package.error_messages}
