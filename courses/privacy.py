"""What the courses floor holds about a person, for "My data" (accounts.privacy; named in
settings.HOCSO_PERSONAL_DATA_SECTIONS)."""

from django.db import transaction
from django.utils import timezone

from accounts.privacy import Section, label
from courses.certificates.models import Certificate
from courses.models import Enrolment, LessonProgress


def personal_data(user) -> list[Section]:
    """Enrolments, lesson progress and certificates (one query each)."""
    enrolments = Enrolment.objects.filter(user=user).order_by("enrolled_at", "pk")
    progress = LessonProgress.objects.filter(user=user).order_by("course_id", "lesson_id")
    certificates = Certificate.objects.filter(user=user).order_by("issued_at", "pk")
    return [
        Section.of("enrolments", label("Enrolments"), enrolments, {
            "course__title": label("Course"), "source": label("Source"),
            "enrolled_at": label("Enrolled"), "percent": label("Progress (%)"),
            "completed_at": label("Completed"), "unenrolled_at": label("Unenrolled"),
        }),
        Section.of("lesson_progress", label("Lesson progress"), progress, {
            "course__title": label("Course"), "lesson__title": label("Lesson"),
            "opened_at": label("Opened"), "completed_at": label("Completed"),
            "completed_by": label("Completed by"),
        }),
        Section.of("certificates", label("Certificates"), certificates, {
            "code": label("Code"), "course_title": label("Course"),
            "full_name": label("Name printed"), "issued_at": label("Issued"),
            "revoked_at": label("Revoked"),
        }),
    ]  # fmt: skip


def anonymise(user) -> None:
    """Certificates keep their code, course, date and validity (the verification page says
    the holder's details were withdrawn); the printed name goes, and so do the PDFs that
    print it (deleted after commit). Enrolments and progress stay: the reports count them."""
    certificates = Certificate.objects.filter(user=user)
    for certificate in certificates.exclude(pdf=""):
        storage, name = certificate.pdf.storage, certificate.pdf.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    certificates.update(
        full_name="", name_key="", pdf="", render_status=Certificate.RenderStatus.PENDING,
        render_key="", updated_at=timezone.now(),
    )  # fmt: skip
