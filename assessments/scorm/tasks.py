"""Celery tasks of the SCORM app (queue "media"): ids in, one service call."""

from cms.tasking import task


@task("scorm.process_package", queue="media", retry_on=(OSError,), backoff=300, max_retries=4)
def process_package(package_id: int) -> dict:
    """Scan, validate and extract one uploaded package. Idempotent (READY or FAILED stays).
    OSError (a full disk, the virus scanner down) retries with backoff; meanwhile the
    package waits, never played."""
    from assessments.scorm.services import package_process  # services import this task

    package = package_process(package_id=package_id)
    return {"package": package.pk, "status": package.status, "reasons": package.error_messages}


@task("scorm.packages_requeue", queue="media")
def packages_requeue() -> dict:
    """Periodic (cms/celery.py): queue again the H5P and SCORM uploads left waiting."""
    from assessments.scorm.services import packages_requeue as requeue  # services import this

    return {"queued": requeue()}
