"""How our Celery tasks are declared: `task(name, queue=...)`, `celery.shared_task` with the
project's policy (house style: ids in, one service call, idempotent, retried with backoff).

- Retries: an error of a type in `retry_on` is retried with exponential backoff (`backoff`
  seconds, doubled each time, with Celery's jitter and its 600 s cap unless
  `retry_backoff_max` says otherwise), at most `max_retries` times. By default a
  connection error or a timeout (mail server, broker, gateway), 5 times.
- `site_language=True`: the task's body runs in settings.LANGUAGE_CODE. A task has no
  request to take a language from, and what it writes (mails, text messages, files,
  reasons shown to a manager) is in the site's language.

Other Celery options (`ignore_result`, `retry_backoff_max`, ...) pass through.
"""

from celery import Task, shared_task
from django.conf import settings
from django.utils import translation

CONNECTION_ERRORS = (ConnectionError, TimeoutError)


class SiteLanguageTask(Task):
    """A task whose body runs in the site's language, on a worker or eagerly."""

    def __call__(self, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return super().__call__(*args, **kwargs)


def task(
    name: str,
    *,
    queue: str,
    retry_on: tuple[type[Exception], ...] = CONNECTION_ERRORS,
    backoff: int | bool = True,
    max_retries: int = 5,
    site_language: bool = False,
    **options,
):
    """Declare a Celery task under `name` on `queue` with the policy above."""
    if site_language:
        options["base"] = SiteLanguageTask
    return shared_task(
        name=name,
        queue=queue,
        autoretry_for=retry_on,
        retry_backoff=backoff,
        max_retries=max_retries,
        **options,
    )
