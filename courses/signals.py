"""Learning events for reporting projections (campaigns' rollups).

Sent synchronously by the courses services *inside* their transaction, only when the
service really changed something (a new enrolment, the winning completion...), so a
receiver that writes counters commits or rolls back with the event itself. These are
side effects for statistics, not domain flow (STYLE.md rule 6): nothing in courses depends
on who listens, and the floors stay one-way (courses never imports campaigns).

Arguments (keyword): user_id, course_id, measure ("enrolled", "completed" or "certified"),
when (the aware datetime whose local day the event counts on), delta (+1, or -1 when an
enrolment is cancelled before completion or a certificate revoked: taken back from the
day it was counted on).
"""

from django.dispatch import Signal

learning_event = Signal()


def learning_event_send(*, user_id: int, course_id: int | None, measure: str, when, delta=1):
    if course_id is None:
        return
    learning_event.send(
        sender=None, user_id=user_id, course_id=course_id, measure=measure, when=when,
        delta=delta,
    )  # fmt: skip
