"""The transactional outbox: no task is ever lost to a broker that is down.

`task_send(task, args, kwargs, queue=...)` is what services call instead of
`transaction.on_commit(lambda: task.delay(...))`:

- With a broker (REDIS_URL set) it writes an `OutboxMessage` row in the caller's
  transaction, so the work to do commits or rolls back with the change that causes it.
  After commit it publishes once, within about a second (settings: broker connection and
  socket timeouts, no publish retry); success marks the row sent, a failure records the
  error and leaves it for `outbox_sweep`, which the beat runs every minute (cms.celery).
  A request is never failed or held by a dead broker.
- Without a broker (the demo, tests: tasks run eagerly) it runs the task after commit,
  as `on_commit(task.apply_async)` always did.

Delivery is at least once (a crash between publishing and marking the row sent sends it
again), so every task sent this way is idempotent; the worker acknowledges late
(task_acks_late, task_reject_on_worker_lost), so a killed worker's task runs again too.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cms.models import OutboxMessage

logger = logging.getLogger(__name__)

# The sweep leaves a fresh row to the request that wrote it for this long (its own
# after-commit publish), then sends it itself.
SWEEP_GRACE_SECONDS = 30
SWEEP_BATCH = 500
KEEP_SENT_DAYS = 7


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def task_send(
    task, args=(), kwargs=None, *, queue: str | None = None, robust=False, on_commit=True
) -> None:
    """Send `task` after the current transaction commits, never losing it (see above).
    `robust`: without a broker, an error of the eager task is logged, not raised.
    `on_commit=False`: send now (a task enqueueing others, outside any transaction)."""
    args, kwargs = list(args), dict(kwargs or {})
    if _eager():
        options = {"queue": queue} if queue else {}
        if kwargs:
            options["kwargs"] = kwargs
        send = lambda: task.apply_async(args=args, **options)  # noqa: E731
        if on_commit:
            transaction.on_commit(send, robust=robust)
        else:
            send()
        return
    message = OutboxMessage.objects.create(
        task_name=task.name, args=args, kwargs=kwargs, queue=queue or ""
    )
    message_id = message.pk
    if on_commit:
        transaction.on_commit(lambda: outbox_message_publish(message_id=message_id), robust=True)
    else:
        outbox_message_publish(message_id=message_id)


def _publish(message) -> bool:
    task = current_app.tasks[message.task_name]
    options = {"queue": message.queue} if message.queue else {}
    try:
        task.apply_async(
            args=message.args,
            kwargs=message.kwargs,
            ignore_result=True,
            retry=False,
            **options,
        )
    except Exception as exc:  # broker refused, timed out, reset: the sweep tries again
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:1000]
        )
        logger.warning("outbox: %s not sent (kept for the sweep): %s", message, exc)
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return True


def outbox_message_publish(*, message_id: int) -> bool:
    """Publish one unsent message now; False when it is sent already, being sent by the
    sweep, or the broker refused it."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        return bool(message) and _publish(message)


def outbox_sweep(*, grace_seconds: int = SWEEP_GRACE_SECONDS) -> dict:
    """Send what is unsent: rows that failed, and rows older than the grace period. Stops
    at the first refusal (the broker is down; the next sweep tries again). Forgets sent
    rows after KEEP_SENT_DAYS."""
    now = timezone.now()
    sent = failed = 0
    with transaction.atomic():
        messages = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True)
            .filter(Q(attempts__gt=0) | Q(created__lte=now - timedelta(seconds=grace_seconds)))
            .order_by("pk")[:SWEEP_BATCH]
        )
        for message in messages:
            if _publish(message):
                sent += 1
            else:
                failed += 1
                break
    OutboxMessage.objects.filter(sent_at__lt=now - timedelta(days=KEEP_SENT_DAYS)).delete()
    unsent = OutboxMessage.objects.filter(sent_at__isnull=True).count()
    if sent or failed:
        logger.info("outbox sweep: %s sent, %s refused, %s unsent", sent, failed, unsent)
    return {"sent": sent, "failed": failed, "unsent": unsent}
