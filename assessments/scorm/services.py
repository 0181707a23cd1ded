"""Writes of the SCORM app: packages (upload, scan, validation, extraction) and attempts
(launch with resume, commits checked against the data model, the outcome rolled up).

The admin (wagtail_hooks) and tests call these only. A package is stored privately and
checked in the background (task on queue "media", through the outbox): the virus scan
(cms.antivirus), the manifest and zip checks (validation), then extraction into the
content-addressed storage it shares with H5P. Refusals keep every reason, in Vietnamese.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.h5p import tasks as h5p_tasks
from assessments.h5p.models import H5PPackage
from assessments.h5p.services import attach_archive, package_extract, package_fail, package_start
from assessments.scorm.cmi import ScoOutcome, ScormRefused, cmi_commit, rollup, sco_outcome
from assessments.scorm.models import ScormAttempt, ScormPackage
from assessments.scorm.tasks import process_package
from assessments.scorm.validation import SCORM12, SCORM2004, inspect_package, limits
from cms.net import rate_limit_identity
from cms.outbox import task_send
from cms.ratelimit import limit_exceeded

SUFFIX = ".zip"


def package_create(
    *, title: str, fileobj, uploaded_by=None, original_filename: str = ""
) -> ScormPackage:
    """Store an upload privately and queue its check (on commit, queue "media")."""
    package = ScormPackage(title=title, uploaded_by=uploaded_by)
    return _stored_and_queued(package, fileobj, original_filename)


def package_replace_archive(*, package: ScormPackage, fileobj, original_filename: str = ""):
    """A new file for an existing package: checked again from scratch."""
    package.status = ScormPackage.Status.PENDING
    package.errors = {}
    return _stored_and_queued(package, fileobj, original_filename)


def _stored_and_queued(package: ScormPackage, fileobj, original_filename: str) -> ScormPackage:
    attach_archive(package, fileobj, original_filename, suffix=SUFFIX)
    package.full_clean()
    package.save()
    task_send(process_package, [package.pk], queue="media")  # the outbox: never lost
    return package


def package_process(*, package_id: int) -> ScormPackage:
    """Scan, validate and extract one package (the task calls this). Idempotent."""
    package, archive = package_start(ScormPackage, package_id, suffix=SUFFIX)
    if archive is None:
        return package
    inspection = inspect_package(archive)
    if not inspection.ok:
        return package_fail(package, inspection.errors)
    budget = limits()["max_total_bytes"]
    files = {"content_members": inspection.members, "library_members": {}}
    if package_extract(package, archive, budget=budget, **files) is None:
        return ScormPackage.objects.get(pk=package_id)  # refused: the archive is damaged
    with transaction.atomic():
        package = ScormPackage.objects.select_for_update().get(pk=package_id)
        package.status = ScormPackage.Status.READY
        package.errors = {}
        package.version = inspection.version
        package.edition = inspection.edition[:30]
        package.manifest_title = inspection.title[:255]
        package.scos = {"version": 1, "items": [asdict(sco) for sco in inspection.scos]}
        package.processed_at = timezone.now()
        package.full_clean()
        package.save()
    return package


def packages_requeue(*, older_than: timedelta | None = None) -> int:
    """Queue again the check of every H5P and SCORM upload still waiting (PENDING: the virus
    scanner was down longer than its task's retries) or stuck half-way (PROCESSING: a worker
    killed) for longer than `older_than` (setting PACKAGES_REQUEUE_MINUTES, 30). Such an
    upload is never served meanwhile. Returns how many were queued (the periodic task
    `scorm.packages_requeue` calls this; the check itself is idempotent)."""
    minutes = settings.PACKAGES_REQUEUE_MINUTES
    cutoff = timezone.now() - (older_than or timedelta(minutes=minutes))
    waiting = [ScormPackage.Status.PENDING, ScormPackage.Status.PROCESSING]
    queued = 0
    for model, task in ((ScormPackage, process_package), (H5PPackage, h5p_tasks.process_package)):
        with transaction.atomic():
            stale = model.objects.filter(status__in=waiting, updated_at__lt=cutoff)
            ids = list(stale.values_list("pk", flat=True)[:500])
            # Touched, so the next sweep waits for this check before queueing it again.
            model.objects.filter(pk__in=ids).update(updated_at=timezone.now())
            for package_id in ids:
                task_send(task, [package_id], queue="media")
        queued += len(ids)
    return queued


# --- Attempts (the run-time: launch, resume, commit) -----------------------------------------

COMMIT_MAX_BYTES = 256 * 1024
TOTAL_TIME = {SCORM12: "cmi.core.total_time", SCORM2004: "cmi.total_time"}
LESSON_STATUS12 = "cmi.core.lesson_status"
# Elements a SCO writes for its own session only: never handed back at the next launch.
WRITE_ONLY = frozenset(
    {"cmi.core.exit", "cmi.core.session_time", "cmi.exit", "cmi.session_time", "adl.nav.request"}
)


@dataclass(frozen=True)
class CommitResult:
    """A commit's verdict for the lesson: the package's outcome rolled up over its SCOs."""

    attempt: ScormAttempt
    package_outcome: ScoOutcome

    @property
    def activity_outcome(self) -> tuple[bool, bool, float | None]:
        """(graded, passed, score percent): graded once every SCO is complete; passed by the
        SCOs' success when they report one, else by completion; the score from score.scaled,
        bounded to 0-100."""
        outcome = self.package_outcome
        passed = outcome.passed if outcome.passed is not None else outcome.completed
        percent = None if outcome.scaled is None else max(0.0, outcome.scaled) * 100
        return outcome.completed, bool(outcome.completed and passed), percent


def _item(package: ScormPackage, sco: str) -> dict:
    items = package.sco_items
    item = next((i for i in items if i["identifier"] == sco), None) if sco else items[0]
    if item is None:
        raise ScormRefused(_("This part of the course was not found."), code="sco", status=404)
    return item


def attempt_start(*, user, package: ScormPackage, context_key: str, sco: str = ""):
    """The learner's attempt at one SCO (the manifest's first unless named) in this place,
    made once and resumed after, with a new run-time session (a commit of an older one is
    refused): (attempt, the values the runtime starts with; write-only ones left out)."""
    if package.status != ScormPackage.Status.READY or not package.sco_items:
        raise ScormRefused(_("This SCORM activity is not available yet."), code="unavailable",
                           status=409)  # fmt: skip
    if not context_key or len(context_key) > 200:
        raise ScormRefused(_("Invalid activity place."))
    item = _item(package, sco)
    try:
        with transaction.atomic():
            attempt, _created = ScormAttempt.objects.get_or_create(
                user=user, package=package, context_key=context_key, sco=item["identifier"]
            )
    except IntegrityError:  # a concurrent launch made it
        attempt = ScormAttempt.objects.get(
            user=user, package=package, context_key=context_key, sco=item["identifier"]
        )
    attempt.session, attempt.session_seq = uuid.uuid4(), 0
    attempt.save(update_fields=["session", "session_seq", "updated_at"])
    stored = {k: v for k, v in attempt.cmi.items() if k not in WRITE_ONLY}
    return attempt, {**stored, **launch_values(attempt, item)}


def launch_values(attempt: ScormAttempt, item: dict) -> dict[str, str]:
    """The read-only elements the LMS gives the SCO (a commit may repeat them unchanged)."""
    user = attempt.user
    suspended = attempt.cmi.get("cmi.core.exit" if attempt.package.version == SCORM12
                                else "cmi.exit") == "suspend"  # fmt: skip
    entry = "resume" if suspended else ("ab-initio" if not attempt.commits else "")
    name = getattr(user, "full_name", "") or user.get_username()
    if attempt.package.version == SCORM12:
        values = {
            "cmi.core.student_id": str(user.pk),
            "cmi.core.student_name": name,
            "cmi.core.credit": "credit",
            "cmi.core.entry": entry,
            "cmi.core.lesson_mode": "normal",
        }
        if item.get("mastery_score") is not None:
            values["cmi.student_data.mastery_score"] = f"{item['mastery_score']:g}"
        return values
    return {
        "cmi.learner_id": str(user.pk),
        "cmi.learner_name": name,
        "cmi.credit": "credit",
        "cmi.entry": entry,
        "cmi.mode": "normal",
    }


@dataclass(frozen=True)
class Envelope:
    """One commit as the lesson page's relay sends it: the launch's session, its rising
    sequence number, the values the SCO set, and whether the SCO finished (Finish/Terminate)."""

    session: uuid.UUID
    seq: int
    values: dict
    finish: bool


def _envelope(payload) -> Envelope:
    if isinstance(payload, (bytes, str)):
        if len(payload) > COMMIT_MAX_BYTES:
            raise ScormRefused(_("The saved data is too large."), code="size", status=413)
        try:
            payload = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            payload = None
    bad = ScormRefused(_("A commit must be a set of element names and values."))
    if not isinstance(payload, dict) or not isinstance(payload.get("values"), dict):
        raise bad
    seq = payload.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < 2**31:
        raise bad
    try:
        session = uuid.UUID(str(payload.get("session")))
    except ValueError:
        raise bad from None
    return Envelope(session=session, seq=seq, values=payload["values"],
                    finish=payload.get("finish") is True)  # fmt: skip


def _rate_limit(user, client_address: str) -> None:
    """Per learner and per client address (cms.net.client_ip); fails open when the cache is
    down (cms.ratelimit): commits are checked and ordered anyway."""
    per_user = settings.SCORM_COMMITS_PER_MINUTE
    per_address = settings.SCORM_COMMITS_PER_MINUTE_PER_ADDRESS
    if limit_exceeded(scope="scorm:user", identity=str(user.pk), limit=per_user) or (
        client_address
        and limit_exceeded(
            scope="scorm:address", identity=rate_limit_identity(client_address), limit=per_address
        )  # fmt: skip
    ):
        raise ScormRefused(_("Too many requests; please slow down."), status=429, code="rate")


def attempt_commit(
    *, user, attempt_id, context_key: str, payload, client_address: str = ""
) -> CommitResult:
    """Check and store one commit of a SCO (assessments.scorm.cmi), then roll the package's
    outcome up over its SCOs in the manifest's order. `payload`: the relay's envelope
    (Envelope). Only the open session's commits are taken, each with a higher sequence number
    than the last; a finishing commit closes the session, so a replay is refused (and
    completes a 1.2 SCO that never set its lesson_status, as the standard says). Read-only
    elements sent back unchanged are dropped, a changed one is refused; total time is the
    server's own. Nothing of a refused commit is stored."""
    _rate_limit(user, client_address)
    envelope = _envelope(payload)
    with transaction.atomic():
        attempt = _own_attempt(user=user, attempt_id=attempt_id, context_key=context_key)
        if attempt.session is None or attempt.session != envelope.session:
            raise ScormRefused(
                _("This session of the activity has ended; reload the page to go on."),
                code="session", status=409,
            )  # fmt: skip
        if envelope.seq <= attempt.session_seq:
            raise ScormRefused(_("This commit was already received."), code="replay",
                               status=409)  # fmt: skip
        package = attempt.package
        item = _item(package, attempt.sco)
        given = launch_values(attempt, item)
        values = dict(envelope.values)
        values.pop(TOTAL_TIME[package.version], None)
        for name in [n for n in values if n in given]:
            if str(values.pop(name)) != given[name]:
                raise ScormRefused(
                    _("The course tried to change a value it may only read: %(name)s.")
                    % {"name": name}
                )
        attempt.cmi = cmi_commit(
            version=package.version, edition=package.edition, stored=attempt.cmi, values=values
        )
        status = attempt.cmi.get(LESSON_STATUS12, "not attempted")
        if package.version == SCORM12 and envelope.finish and status == "not attempted":
            # SCORM 1.2 RTE 3.4.4: a SCO that never set its status is completed by LMSFinish
            # (then judged by the manifest's mastery score when it reported a raw score).
            attempt.cmi = {**attempt.cmi, LESSON_STATUS12: "completed"}
        outcome = sco_outcome(package.version, attempt.cmi, mastery_score=item.get("mastery_score"))
        attempt.completed, attempt.passed, attempt.scaled = (
            outcome.completed, outcome.passed, outcome.scaled
        )  # fmt: skip
        attempt.commits += 1
        attempt.session_seq = envelope.seq
        if envelope.finish:
            attempt.session = None
        attempt.save()
        rolled = package_outcome(user=user, package=package, context_key=context_key)
    return CommitResult(attempt=attempt, package_outcome=rolled)


def _own_attempt(*, user, attempt_id, context_key: str) -> ScormAttempt:
    try:
        attempt = (
            ScormAttempt.objects.select_for_update(of=("self",))
            .select_related("package", "user")
            .filter(public_id=uuid.UUID(str(attempt_id)))
            .first()
        )
    except ValueError:
        attempt = None
    # Someone else's attempt looks exactly like a missing one: nothing leaks.
    if attempt is None or attempt.user_id != user.pk or attempt.context_key != context_key:
        raise ScormRefused(_("This attempt was not found."), code="attempt", status=404)
    return attempt


def package_outcome(*, user, package: ScormPackage, context_key: str) -> ScoOutcome:
    """The package's outcome for a learner in a place: its SCOs' in the manifest's order (a
    SCO never launched counts as not complete)."""
    done = {
        a.sco: ScoOutcome(completed=a.completed, passed=a.passed, scaled=a.scaled)
        for a in ScormAttempt.objects.filter(user=user, package=package, context_key=context_key)
    }
    blank = ScoOutcome(completed=False, passed=None, scaled=None)
    return rollup([done.get(i["identifier"], blank) for i in package.sco_items])


# What anonymisation keeps of a SCO's values: its outcome (reports count it), nothing the
# learner wrote or answered (suspend data, comments, responses, location).
OUTCOME_ELEMENTS = frozenset(
    {
        "cmi.core.lesson_status", "cmi.core.score.raw", "cmi.core.score.min",
        "cmi.core.score.max", "cmi.completion_status", "cmi.success_status",
        "cmi.score.scaled", "cmi.score.raw", "cmi.score.min", "cmi.score.max",
        "cmi.progress_measure",
    }
)  # fmt: skip


def attempt_data_strip(*, user) -> int:
    """Anonymisation (assessments.privacy): keep only the outcome elements of the person's
    SCORM attempts (their completion, success and score columns stay). Returns how many
    attempts changed."""
    changed = 0
    with transaction.atomic():
        for attempt in ScormAttempt.objects.select_for_update().filter(user=user):
            kept = {k: v for k, v in attempt.cmi.items() if k in OUTCOME_ELEMENTS}
            if kept != attempt.cmi:
                attempt.cmi = kept
                attempt.save(update_fields=["cmi", "updated_at"])
                changed += 1
    return changed
