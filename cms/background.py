"""Work that must not run inside a web request, even without a Celery worker.

With a broker (REDIS_URL set) `send_background(task, *args)` is `task.delay(*args)`: the
worker runs it. Without one (the demo, tests: tasks run eagerly), `delay` would run the task
inside the request that asked for it; a big learner import would then hold the request for
minutes and die with it. So here the task runs on one background thread of this process,
after the caller's transaction has committed (call this from `transaction.on_commit`). One
thread: jobs queue behind each other, as on a one-process worker. The thread closes its
database connection after each job.

`wait_idle(timeout)` waits until the queue is empty (tests; a management command that must
not exit before its job).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from celery import current_app
from django.db import close_old_connections, connections

log = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None
_pending: set[Future] = set()
_lock = threading.Lock()


def _run(task, args: tuple) -> None:
    close_old_connections()
    try:
        task.apply(args=args, throw=True)
    except Exception:  # the task records its own failure; this keeps the thread alive
        log.exception("background task %s%r failed", task.name, args)
    finally:
        connections.close_all()


def send_background(task, *args) -> None:
    """Run a Celery task outside the current request: on the worker if there is a broker,
    else on this process's background thread."""
    global _executor
    if not current_app.conf.task_always_eager:
        task.delay(*args)
        return
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hocso-background")
        future = _executor.submit(_run, task, args)
        _pending.add(future)
    future.add_done_callback(lambda done: _pending.discard(done))


def wait_idle(timeout: float = 60) -> bool:
    """Wait until every background job sent so far has finished; False on timeout."""
    from concurrent.futures import wait

    with _lock:
        pending = set(_pending)
    if not pending:
        return True
    _done, not_done = wait(pending, timeout=timeout)
    return not not_done
