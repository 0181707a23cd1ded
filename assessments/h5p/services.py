"""Writes of the H5P app: packages, the library pool, launches, statements and saved state.

Callers (the Wagtail admin, the Celery task, courses' activity views, demo loaders) use
these functions only. Identity always comes from the caller's `user` (the session), never
from a statement. Refusals raise `H5PRefused` with a Vietnamese message and an HTTP status.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.h5p import scoring, storage
from assessments.h5p.models import (
    H5PLaunch,
    H5PLibrary,
    H5PPackage,
    H5PState,
    H5PStatement,
    UploadedPackage,
)
from assessments.h5p.tasks import process_package
from assessments.h5p.validation import PoolView, inspect_package, limits
from cms import antivirus
from cms.errors import Refused
from cms.inserts import insert_new, update_row
from cms.net import rate_limit_identity
from cms.outbox import task_send
from cms.prepared import Prepared
from cms.ratelimit import limit_exceeded

VERB_ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
GRADING_VERBS = frozenset({VERB_ANSWERED, VERB_COMPLETED})


def _setting(name: str, default):
    return getattr(settings, name, default)


def statement_max_bytes() -> int:
    return _setting("H5P_STATEMENT_MAX_BYTES", 64 * 1024)


def state_max_bytes() -> int:
    return _setting("H5P_STATE_MAX_BYTES", 64 * 1024)


class H5PRefused(Refused):
    """A refused request; `status` is the HTTP status a view answers with (cms.errors)."""

    def __init__(self, message: str, *, code: str = "invalid", status: int = 400, context=None):
        super().__init__(message, code=code, status=status, context=context)


# --- Packages -------------------------------------------------------------------------------


def package_create(*, title: str, fileobj, uploaded_by=None, slug: str | None = None,
                   original_filename: str = "", max_score: float | None = None,
                   ) -> H5PPackage:  # fmt: skip
    """Store an upload privately and queue its validation (on commit, queue "media").
    `max_score`: the editor's maximum score, if typed (else taken from the package)."""
    package = H5PPackage(title=title, slug=slug or None, uploaded_by=uploaded_by)
    if max_score is not None:
        package.max_score = _checked_max(max_score)
        package.max_score_source = H5PPackage.MaxScoreSource.EDITOR
    attach_archive(package, fileobj, original_filename)
    package.full_clean()
    package.save()
    _enqueue_processing(package)
    return package


def package_replace_archive(
    *, package: H5PPackage, fileobj, original_filename: str = ""
) -> H5PPackage:
    """A new file for an existing package: checked again from scratch; its maximum score is
    taken from the new file again, unless the editor set it."""
    attach_archive(package, fileobj, original_filename)
    package.status = H5PPackage.Status.PENDING
    package.errors = {}
    if package.max_score_source != H5PPackage.MaxScoreSource.EDITOR:
        package.max_score = None
        package.max_score_source = H5PPackage.MaxScoreSource.UNCHECKED
    package.full_clean()
    package.save()
    _enqueue_processing(package)
    return package


def attach_archive(
    package: UploadedPackage, fileobj, original_filename: str, *, suffix: str = ".h5p"
) -> None:
    """Store an upload privately (content-addressed) and note it on the package (no save)."""
    max_upload = _setting("H5P_MAX_UPLOAD_BYTES", limits()["max_total_bytes"])
    try:
        sha, size = storage.store_upload(fileobj, max_bytes=max_upload, suffix=suffix)
    except ValueError:
        raise H5PRefused(
            _("The file is larger than %(max)d MiB.") % {"max": max_upload // (1024 * 1024)},
            status=413,
        ) from None
    package.archive_sha256 = sha
    package.archive_size = size
    package.original_filename = (original_filename or "")[:255]


def _enqueue_processing(package: H5PPackage) -> None:
    package_id = package.pk
    task_send(process_package, [package_id], queue="media")  # the outbox: never lost


def approved_pool() -> PoolView:
    rows = H5PLibrary.objects.filter(status=H5PLibrary.Status.APPROVED).only(
        "machine_name", "major_version", "minor_version", "library_json"
    )
    return PoolView(
        {(r.machine_name, r.major_version, r.minor_version): r.library_json for r in rows}
    )


def package_process(*, package_id: int) -> H5PPackage:
    """Validate and extract one package (the Celery task calls this). Idempotent: a package
    already READY or FAILED is returned untouched."""
    package, archive = package_start(H5PPackage, package_id)
    if archive is None:
        return package
    inspection = inspect_package(archive, pool=approved_pool())
    if not inspection.ok:
        return package_fail(package, inspection.errors)
    # Extract only the library folders the content needs, and only versions not yet stored.
    closure = set(inspection.dependencies)
    known = {
        (r.machine_name, r.major_version, r.minor_version, r.patch_version): r
        for r in H5PLibrary.objects.filter(machine_name__in={k[0] for k in closure})
    }
    approved_patch = {
        (r.machine_name, r.major_version, r.minor_version): r.patch_version
        for r in known.values()
        if r.status == H5PLibrary.Status.APPROVED
    }
    wanted = {}
    for folder, lib in inspection.libraries.items():
        if lib.key not in closure:
            continue  # editor-only libraries are never played
        if approved_patch.get(lib.key, -1) >= lib.patch:
            continue  # the pool already has this or a newer patch: the package's copy is ignored
        row = known.get((*lib.key, lib.patch))
        if row is None or not storage.library_path(row.files_sha256).is_dir():
            wanted[folder] = inspection.library_members[folder]
    extracted = package_extract(
        package, archive, content_members=inspection.content_members, library_members=wanted,
        budget=limits()["max_total_bytes"],
    )  # fmt: skip
    if extracted is None:  # refused: the archive is damaged
        return H5PPackage.objects.get(pk=package_id)
    with transaction.atomic():
        package = H5PPackage.objects.select_for_update().get(pk=package_id)
        for folder, (files_sha, hashes) in extracted.items():
            lib = inspection.libraries[folder]
            data = lib.data
            core = data.get("coreApi") or {}
            fields = {
                "title": str(data["title"])[:255],
                "runnable": bool(data.get("runnable")),
                "core_api": f"{core.get('majorVersion')}.{core.get('minorVersion')}"
                if core
                else "",
                "library_json": data,
                "files_sha256": files_sha,
                "file_hashes": {"version": 1, "files": hashes},
            }
            H5PLibrary.objects.update_or_create(
                machine_name=data["machineName"],
                major_version=int(data["majorVersion"]),
                minor_version=int(data["minorVersion"]),
                patch_version=int(data["patchVersion"]),
                defaults=fields,
                create_defaults={**fields, "first_package": package},  # set once, when new
            )
        package.status = H5PPackage.Status.READY
        package.errors = {}
        package.h5p_json = inspection.h5p_json
        package.main_library = inspection.main_library[:255]
        package.dependencies = {
            "version": 1,
            "libraries": [list(k) for k in inspection.dependencies],
        }
        package.processed_at = timezone.now()
        if package.max_score_source != H5PPackage.MaxScoreSource.EDITOR:
            _max_from_content(package)
        package.full_clean()
        package.save()
    return package


def _checked_max(value) -> float:
    number = _number(value)
    if number is None or number <= 0:
        raise H5PRefused(_("The maximum score must be a number above 0."), code="max")
    return number


def _max_from_content(package: H5PPackage) -> None:
    """Set the package's maximum from its extracted content, or record that it has none
    (each learner's first result then fixes that learner's maximum). No save."""
    maximum = scoring.package_content_max_score(package, max_bytes=limits()["max_json_bytes"])
    package.max_score = maximum
    package.max_score_source = (
        H5PPackage.MaxScoreSource.PACKAGE
        if maximum is not None
        else H5PPackage.MaxScoreSource.LEARNER
    )


def package_max_score_set(*, package: H5PPackage, max_score: float | None) -> H5PPackage:
    """The editor's maximum score (upload form). None hands it back to the package: taken
    from its content when the type allows, else each learner's first result."""
    with transaction.atomic():
        package = H5PPackage.objects.select_for_update().get(pk=package.pk)
        if max_score is not None:
            package.max_score = _checked_max(max_score)
            package.max_score_source = H5PPackage.MaxScoreSource.EDITOR
        elif package.status == H5PPackage.Status.READY:
            _max_from_content(package)
        else:  # taken from the content once it is checked
            package.max_score = None
            package.max_score_source = H5PPackage.MaxScoreSource.UNCHECKED
        package.full_clean()
        package.save(update_fields=["max_score", "max_score_source", "updated_at"])
    return package


def package_max_score(package: H5PPackage) -> float | None:
    """The activity's maximum (editor's or from the content), or None when neither gives
    one. A package from before this rule is checked once, here."""
    if package.max_score_source == H5PPackage.MaxScoreSource.UNCHECKED:
        probe = H5PPackage(archive_sha256=package.archive_sha256, main_library=package.main_library)
        _max_from_content(probe)
        H5PPackage.objects.filter(
            pk=package.pk, max_score_source=H5PPackage.MaxScoreSource.UNCHECKED
        ).update(max_score=probe.max_score, max_score_source=probe.max_score_source)
        package.refresh_from_db(fields=["max_score", "max_score_source"])
    return package.max_score


def package_fail(package: UploadedPackage, messages: list[str]) -> UploadedPackage:
    """Refuse a package (H5P or SCORM) with its reasons."""
    with transaction.atomic():
        package = type(package).objects.select_for_update().get(pk=package.pk)
        package.status = UploadedPackage.Status.FAILED
        package.errors = {"version": 1, "messages": messages[:200]}
        package.processed_at = timezone.now()
        package.save(update_fields=["status", "errors", "processed_at", "updated_at"])
    return package


def package_start(model, package_id: int, *, suffix: str = ".h5p"):
    """Begin checking a package (H5P or SCORM; the task calls it): (package, archive path),
    or (package, None) when there is nothing more to do: already READY or FAILED
    (idempotent), or just refused (the file missing, or a virus found)."""
    with transaction.atomic():
        package = model.objects.select_for_update().get(pk=package_id)
        if package.status in (UploadedPackage.Status.READY, UploadedPackage.Status.FAILED):
            return package, None
        package.status = UploadedPackage.Status.PROCESSING
        package.save(update_fields=["status", "updated_at"])
    archive = storage.upload_path(package.archive_sha256, suffix)
    if not archive.exists():
        return package_fail(package, [_("The uploaded file is missing from storage.")]), None
    infected = antivirus.infected_reason(archive, while_down=lambda: _back_to_pending(package))
    if infected:
        return package_fail(package, [infected]), None
    return package, archive


def package_extract(package: UploadedPackage, archive, *, content_members, library_members,
                    budget: int):  # fmt: skip
    """Extract into the content-addressed storage (storage.extract_package); None after
    refusing the package when the archive turns out damaged."""
    try:
        return storage.extract_package(
            archive, content_members=content_members, library_members=library_members,
            content_sha256=package.archive_sha256, total_budget=budget,
        )  # fmt: skip
    except storage.ExtractionError:
        package_fail(
            package,
            [_("The archive is damaged: a file does not match its declared size or checksum.")],
        )
        return None


def _back_to_pending(package: UploadedPackage) -> None:
    """The virus scanner is down: the package waits, never played; its task retries."""
    type(package).objects.filter(pk=package.pk).update(status=UploadedPackage.Status.PENDING)


def package_missing_libraries(package: H5PPackage) -> list[str]:
    """Dependencies of a READY package without an approved library ("H5P.X 1.2")."""
    keys = package.dependency_keys
    approved = set(
        H5PLibrary.objects.filter(
            status=H5PLibrary.Status.APPROVED, machine_name__in={k[0] for k in keys}
        ).values_list("machine_name", "major_version", "minor_version")
    )
    return [f"{m} {a}.{b}" for (m, a, b) in keys if (m, a, b) not in approved]


def package_is_playable(package: H5PPackage) -> bool:
    return package.status == H5PPackage.Status.READY and not package_missing_libraries(package)


# --- Library pool ----------------------------------------------------------------------------


def _require_admin(user) -> None:
    if user is None or not (user.is_active and user.is_superuser):
        raise H5PRefused(_("Only an administrator may approve H5P libraries."), status=403)


def library_approve(*, library: H5PLibrary, approved_by) -> H5PLibrary:
    """Approve one library version. Same major.minor is replaced only by a higher patch."""
    _require_admin(approved_by)
    with transaction.atomic():
        library = H5PLibrary.objects.select_for_update().get(pk=library.pk)
        if library.status == H5PLibrary.Status.APPROVED:
            return library
        current = (
            H5PLibrary.objects.select_for_update()
            .filter(
                machine_name=library.machine_name,
                major_version=library.major_version,
                minor_version=library.minor_version,
                status=H5PLibrary.Status.APPROVED,
            )
            .first()
        )
        if current is not None and current.patch_version >= library.patch_version:
            raise H5PRefused(
                _(
                    "%(lib)s is already approved at version %(have)s; "
                    "only a higher patch can replace it."
                )
                % {"lib": library.folder_name, "have": current.version},
                status=409,
            )
        if not storage.library_path(library.files_sha256).is_dir():
            raise H5PRefused(_("The files of this library are missing from storage."), status=409)
        if current is not None:
            current.status = H5PLibrary.Status.SUPERSEDED
            current.save(update_fields=["status", "updated_at"])
        library.status = H5PLibrary.Status.APPROVED
        library.approved_by = approved_by
        library.approved_at = timezone.now()
        library.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return library


def library_reject(*, library: H5PLibrary, rejected_by) -> H5PLibrary:
    _require_admin(rejected_by)
    with transaction.atomic():
        library = H5PLibrary.objects.select_for_update().get(pk=library.pk)
        if library.status == H5PLibrary.Status.PENDING:
            library.status = H5PLibrary.Status.REJECTED
            library.save(update_fields=["status", "updated_at"])
    return library


def package_approve_libraries(*, package: H5PPackage, approved_by) -> list[H5PLibrary]:
    """Approve the pending libraries a READY package needs (the highest pending patch each)."""
    _require_admin(approved_by)
    approved = []
    for machine, major, minor in package.dependency_keys:
        rows = H5PLibrary.objects.filter(
            machine_name=machine, major_version=major, minor_version=minor
        ).order_by("-patch_version")
        current = next((r for r in rows if r.status == H5PLibrary.Status.APPROVED), None)
        candidate = next((r for r in rows if r.status == H5PLibrary.Status.PENDING), None)
        if candidate is None or (current and current.patch_version >= candidate.patch_version):
            continue
        approved.append(library_approve(library=candidate, approved_by=approved_by))
    return approved


# --- Launches ---------------------------------------------------------------------------------


def activity_iri(package: H5PPackage) -> str:
    """xAPI object.id of a package (h5p-standalone's xAPIObjectIRI)."""
    return f"{settings.APP_ORIGIN.rstrip('/')}/h5p/activities/{package.pk}"


# The learner's latest launch of a package in one place (the SQL built once: cms.prepared).
_LATEST_LAUNCH = Prepared(
    "h5p-latest-launch",
    lambda user_id, package_id, context_key: H5PLaunch.objects.filter(
        user_id=user_id, package_id=package_id, context_key=context_key
    ).order_by("-attempt")[:1],
    "iis",
)


def launch_start(*, user, package: H5PPackage, context_key: str) -> H5PLaunch:
    """The learner's current attempt in this place (reused for H5P_LAUNCH_HOURS), or a new one."""
    if not package_is_playable(package):
        raise H5PRefused(
            _("This H5P activity is not available yet."), status=409, code="unavailable"
        )
    if not context_key or len(context_key) > 200:
        raise H5PRefused(_("Invalid activity place."))
    window = timedelta(hours=_setting("H5P_LAUNCH_HOURS", 24))
    for _try in range(3):
        latest = _LATEST_LAUNCH.first(user.pk, package.pk, context_key)
        if latest is not None and latest.created_at >= timezone.now() - window:
            return latest
        launch = H5PLaunch(
            user=user,
            package=package,
            context_key=context_key,
            attempt=(latest.attempt + 1) if latest else 1,
        )
        # The user and the package are the rows in hand (not looked up again).
        launch.full_clean(
            exclude=["user", "package"], validate_unique=False, validate_constraints=False
        )
        try:
            with transaction.atomic():
                launch.save()
            return launch
        except IntegrityError:
            continue  # a concurrent request created it: read again
    raise H5PRefused(_("Please try again."), status=409)


def _rate_limit(user, client_address: str) -> None:
    """Per learner, and per client address (cms.net.client_ip, so learners behind one proxy
    do not share a budget, and a forged X-Forwarded-For escapes nothing). Fails open when the
    cache is down (cms.ratelimit): statements are checked and idempotent anyway."""
    refused = limit_exceeded(
        scope="h5p:user", identity=str(user.pk), limit=_setting("H5P_RATE_PER_MINUTE", 120)
    ) or (
        client_address
        and limit_exceeded(
            scope="h5p:address",
            identity=rate_limit_identity(client_address),
            limit=_setting("H5P_RATE_PER_MINUTE_PER_ADDRESS", 1200),
        )
    )
    if refused:
        raise H5PRefused(_("Too many requests; please slow down."), status=429, code="rate")


_LAUNCH = Prepared(
    "h5p-launch",
    lambda public_id: H5PLaunch.objects.select_related("package").filter(public_id=public_id),
    "u",
)
# Locked, with `seen`: a statement of this digest stored already, and `learner_max`: the
# learner's first graded maximum on the package (what a package without a maximum of its
# own is held to: _checked_score), both in the same query.
_LAUNCH_LOCKED_SEEN = Prepared(
    "h5p-launch-locked-seen",
    lambda public_id, digest: (
        H5PLaunch.objects.select_related("package")
        .select_for_update(of=("self",))
        .annotate(
            seen=Exists(H5PStatement.objects.filter(launch=OuterRef("pk"), digest=digest)),
            learner_max=Subquery(
                H5PLaunch.objects.filter(
                    user_id=OuterRef("user_id"),
                    package_id=OuterRef("package_id"),
                    score_max__isnull=False,
                )
                .order_by("created_at", "pk")
                .values("score_max")[:1]
            ),
        )
        .filter(public_id=public_id)
    ),
    "us",
)


def _own_launch(*, user, launch_id, context_key: str, digest: str = "") -> H5PLaunch:
    """The learner's launch (with its package); `digest`: locked, and annotated `seen`, a
    statement of this digest stored already, and `learner_max` (in the same query). The
    queries' SQL is built once per process (cms.prepared)."""
    launch = None
    if _is_uuid(launch_id):
        public_id = uuid.UUID(str(launch_id))
        launch = (
            _LAUNCH_LOCKED_SEEN.first(public_id, digest) if digest else _LAUNCH.first(public_id)
        )
    # Someone else's attempt looks exactly like a missing one: nothing leaks.
    if launch is None or launch.user_id != user.pk or launch.context_key != context_key:
        raise H5PRefused(_("This attempt was not found."), status=404, code="launch")
    window = timedelta(hours=_setting("H5P_LAUNCH_HOURS", 24))
    if launch.created_at < timezone.now() - window:
        raise H5PRefused(
            _("This attempt has expired; reload the page."), status=410, code="expired"
        )
    return launch


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@dataclass
class StatementOutcome:
    launch: H5PLaunch
    graded: bool
    duplicate: bool
    passed: bool | None  # at the caller's pass_percent; None while ungraded

    @property
    def score_percent(self) -> float | None:
        return self.launch.score_percent


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _passed(launch: H5PLaunch, pass_percent) -> bool | None:
    if launch.score_scaled is None:
        return None
    return launch.score_scaled * 100 + 1e-9 >= float(pass_percent)


def statement_record(*, user, launch_id, context_key: str, payload: bytes | str,
                     pass_percent: float = 100, client_address: str = "",
                     savepoint: bool = True) -> StatementOutcome:  # fmt: skip
    """Check and store one xAPI statement relayed from the player; grade top-level results.

    `payload` is the statement's JSON text as received. Refused (nothing stored): a
    flood, an oversized payload, someone else's or an expired attempt, a statement about
    another activity, a child statement posing as top-level, a score that is not finite,
    negative, above max, or whose max is not the activity's (the editor's or the package's
    maximum; for a package that gives none, this learner's first graded max: never another
    learner's). The same statement twice is stored once (`duplicate`). Best score is kept.
    `savepoint` False: inside the caller's transaction, which a refusal rolls back whole
    (courses.services.activity_outcome_record's), no savepoint of its own.
    """
    _rate_limit(user, client_address)
    raw_bytes = payload.encode() if isinstance(payload, str) else bytes(payload)
    if len(raw_bytes) > statement_max_bytes():
        raise H5PRefused(_("The statement is too large."), status=413, code="size")
    try:
        statement = json.loads(raw_bytes, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError):
        raise H5PRefused(_("The statement is not valid JSON."), code="json") from None
    if not isinstance(statement, dict):
        raise H5PRefused(_("The statement is not valid JSON."), code="json")
    verb = (
        (statement.get("verb") or {}).get("id") if isinstance(statement.get("verb"), dict) else None
    )
    obj = statement.get("object")
    object_id = obj.get("id") if isinstance(obj, dict) else None
    if not isinstance(verb, str) or not isinstance(object_id, str) or len(verb) > 255:
        raise H5PRefused(_("The statement has no verb or object."), code="shape")
    context = statement.get("context") if isinstance(statement.get("context"), dict) else {}
    activities = context.get("contextActivities")
    has_parent = isinstance(activities, dict) and bool(activities.get("parent"))
    digest = hashlib.sha256(
        json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()

    with transaction.atomic(savepoint=savepoint):
        launch = _own_launch(user=user, launch_id=launch_id, context_key=context_key, digest=digest)
        iri = activity_iri(launch.package)
        if object_id == iri:
            if has_parent:
                raise H5PRefused(
                    _("A statement about part of the activity claims to be top-level."),
                    code="child",
                )
            top_level = True
        elif object_id.startswith(iri + "?subContentId="):
            if not has_parent:
                raise H5PRefused(
                    _("A statement about part of the activity claims to be top-level."),
                    code="child",
                )
            top_level = False
        else:
            raise H5PRefused(
                _("The statement is about another activity."), status=403, code="object"
            )
        # Stored before (read with the lock; a replay racing this one past it is caught by
        # the (launch, digest) constraint below).
        if launch.seen:
            return StatementOutcome(
                launch, graded=False, duplicate=True, passed=_passed(launch, pass_percent)
            )
        graded = False
        score = None
        if top_level and verb in GRADING_VERBS:
            score = _checked_score(statement, launch)
            graded = score is not None
        # Stored unless a replay racing this one past the check above stored it first (the
        # (launch, digest) constraint): then it is a duplicate.
        stored = insert_new(
            H5PStatement(launch=launch, verb=verb, top_level=top_level, graded=graded,
                         digest=digest, raw={"version": 1, "statement": statement}),
            unique=("launch", "digest"),
        )  # fmt: skip
        if not stored:
            return StatementOutcome(
                launch, graded=False, duplicate=True, passed=_passed(launch, pass_percent)
            )
        if graded:
            raw, maximum = score
            scaled = raw / maximum
            if launch.score_scaled is None or scaled > launch.score_scaled:
                launch.score_raw, launch.score_max, launch.score_scaled = raw, maximum, scaled
                launch.success = scaled * 100 + 1e-9 >= float(pass_percent)
            if launch.status != H5PLaunch.Status.COMPLETED:
                launch.status, launch.completed_at = H5PLaunch.Status.COMPLETED, timezone.now()
        # The launch is locked (select_for_update): the row in hand is the row, so every
        # column a statement moves is written from it (one SQL built once per process), the
        # count in SQL; nothing is read again.
        update_row(launch, _LAUNCH_MOVED, add_one="statement_count")
        launch.statement_count += 1
    return StatementOutcome(
        launch, graded=graded, duplicate=False, passed=_passed(launch, pass_percent)
    )


# What a stored statement moves on its launch (besides the count).
_LAUNCH_MOVED = (
    "updated_at", "score_raw", "score_max", "score_scaled", "success", "status", "completed_at",
)  # fmt: skip


def _reject_constant(name):
    raise ValueError(f"non-finite number {name}")


def _checked_score(statement: dict, launch: H5PLaunch) -> tuple[float, float] | None:
    result = statement.get("result")
    if not isinstance(result, dict) or "score" not in result:
        return None  # e.g. a survey answer: stored, not graded
    score = result["score"]
    if not isinstance(score, dict):
        raise H5PRefused(_("The score is malformed."), code="score")
    raw, maximum = _number(score.get("raw")), _number(score.get("max"))
    minimum = _number(score.get("min", 0))
    if raw is None or maximum is None or minimum is None:
        raise H5PRefused(_("The score must be finite numbers."), code="score")
    if minimum != 0 or maximum <= 0 or raw < 0 or raw > maximum:
        raise H5PRefused(_("The score is out of range (0 ≤ raw ≤ max)."), code="score")
    # The maximum never comes from a statement shared across learners (issue 13): from the
    # editor or the package; failing both, this learner's own first graded statement.
    # The learner's first graded maximum was read with the locked launch (`learner_max`).
    expected = package_max_score(launch.package)
    if expected is None:
        expected = launch.learner_max
    if expected is not None and not math.isclose(expected, maximum):
        raise H5PRefused(
            _(
                "This result's maximum score (%(got)s) is not this activity's (%(expected)s). "
                "Reload the page and try the activity again."
            )
            % {"got": f"{maximum:g}", "expected": f"{expected:g}"},
            code="max",
        )
    return raw, maximum


# --- Saved state ------------------------------------------------------------------------------


def state_save(*, user, launch_id, context_key: str, data: str,
               client_address: str = "") -> H5PState:  # fmt: skip
    """Save H5P's state (a JSON string) for this learner, package and place; "" clears it."""
    _rate_limit(user, client_address)
    if not isinstance(data, str) or len(data.encode()) > state_max_bytes():
        raise H5PRefused(_("The saved state is too large."), status=413, code="size")
    if data:
        try:
            json.loads(data, parse_constant=_reject_constant)
        except ValueError:
            raise H5PRefused(_("The saved state is not valid JSON."), code="json") from None
    with transaction.atomic():
        launch = _own_launch(user=user, launch_id=launch_id, context_key=context_key)
        state, _created = H5PState.objects.update_or_create(
            user=user,
            package=launch.package,
            context_key=context_key,
            data_type="state",
            sub_content_id=0,
            defaults={"data": data},
        )
    return state


_SAVED_STATE = Prepared(
    "h5p-saved-state",
    lambda user_id, package_id, context_key: H5PState.objects.filter(
        user_id=user_id,
        package_id=package_id,
        context_key=context_key,
        data_type="state",
        sub_content_id=0,
    ).only("data")[:1],
    "iis",
)


def state_get(*, user, package: H5PPackage, context_key: str) -> str:
    row = _SAVED_STATE.first(user.pk, package.pk, context_key)
    return row.data if row else ""


def launch_attempt_count(*, user, package: H5PPackage, context_key: str) -> int:
    return (
        H5PLaunch.objects.filter(user=user, package=package, context_key=context_key).aggregate(
            n=Max("attempt")
        )["n"]
        or 0
    )
