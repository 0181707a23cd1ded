"""Courses: catalogue, course and lesson pages, enrolment and progress.

Dependency direction: courses imports cms and accounts (and, through lazy snippet
references in blocks, assessments); never campaigns.

Structure: CourseIndexPage (the catalogue, under the HomePage) -> CoursePage -> LessonPage.
Sections: a lesson carries a `section` title; consecutive lessons with the same section
title form one section on the course page (no extra page level, so editors reorder lessons
freely and a lesson's URL never changes when sections are renamed).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.models.workflows import AbstractGroupApprovalTask
from wagtail.search import index

from cms.forms import HocSoPageForm
from cms.models import TimestampedModel, optional_image
from cms.pages import served_by_view
from cms.text import fold, nfc
from cms.vocabularies import Audience
from courses.activities.registry import block_types as activity_block_types
from courses.blocks import LessonBodyBlock


class Topic(models.TextChoices):
    SMARTPHONE_INTERNET = "smartphone_internet", _("Smartphone and internet")
    PUBLIC_SERVICES = "public_services", _("VNeID and online public services")
    CASHLESS_PAYMENT = "cashless_payment", _("Cashless payment")
    ONLINE_SAFETY = "online_safety", _("Online safety and personal data")
    DIGITAL_CULTURE = "digital_culture", _("Digital culture")
    OFFICE_TOOLS = "office_tools", _("Office tools")
    AI_BASICS = "ai_basics", _("AI basics")
    DIGITAL_LEADERSHIP = "digital_leadership", _("Data-driven leadership")


class Level(models.TextChoices):
    BASIC = "basic", _("Basic")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class CompletionRule(models.TextChoices):
    # A lesson is complete only when its own required activities are passed, so
    # "every required lesson" already includes "every required activity in them".
    REQUIRED_LESSONS = (
        "required_lessons",
        _("Every required lesson complete (including the activities required in them)"),
    )
    REQUIRED_ACTIVITIES = "required_activities", _("Every required activity in the course passed")


def route_to_child(page: Page, request, path_components, child_model):
    """Route to a child of a known type in one query (Wagtail's generic route takes two per
    level: the base Page row, then its specific row). Other child types fall back."""
    if not path_components:
        return Page.route(page, request, path_components)
    try:
        child = child_model.objects.child_of(page).get(slug=path_components[0])
    except child_model.DoesNotExist:
        return Page.route(page, request, path_components)
    child._cached_parent_obj = page  # treebeard's get_parent() reads it
    return child.route(request, path_components[1:])


class CourseIndexPage(Page):
    """The catalogue: lists, searches and filters the live courses below it."""

    intro = models.CharField(_("introduction"), max_length=400, blank=True)

    base_form_class = HocSoPageForm
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course catalogue")

    def route(self, request, path_components):
        return route_to_child(self, request, path_components, CoursePage)

    serve = served_by_view  # courses.views (registered in CoursesConfig.ready)


class CoursePage(Page):
    """A course. A draft may leave any field empty (Wagtail saves drafts, by hand or by
    autosave, with required fields deferred; only publishing validates them), so nothing
    that runs on a draft (clean, search key, preview) may assume a filled-in value."""

    base_form_class = HocSoPageForm
    summary = models.CharField(_("summary"), max_length=500)
    description = RichTextField(
        _("description"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"]
    )
    cover_image = optional_image(_("cover image"))
    topic = models.CharField(_("topic"), max_length=40, choices=Topic.choices, db_index=True)
    level = models.CharField(
        _("level"), max_length=20, choices=Level.choices, default=Level.BASIC, db_index=True
    )
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=30)
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage",
        verbose_name=_("prerequisites"),
        blank=True,
        related_name="required_by",
        help_text=_("Courses the learner must complete before starting this one."),
    )
    sequential = models.BooleanField(
        _("lessons unlock in order"),
        default=False,
        help_text=_("A required lesson opens only when the required lessons before it are done."),
    )
    completion_rule = models.CharField(
        _("completion rule"),
        max_length=30,
        choices=CompletionRule.choices,
        default=CompletionRule.REQUIRED_LESSONS,
    )
    featured = models.BooleanField(_("featured on the home page"), default=False)
    # Derived from title, summary and labels in clean() (like Wagtail derives the slug):
    # lower case, no diacritics, đ→d, wrapped in spaces so " word" matches a word start.
    search_key = models.TextField(editable=False, blank=True, default="")

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                InlinePanel("audience_links", label=_("audiences"), min_num=1),
                FieldPanel("topic"),
                FieldPanel("level"),
                FieldPanel("estimated_minutes"),
            ],
            heading=_("Catalogue"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("prerequisites"),
                FieldPanel("sequential"),
                FieldPanel("completion_rule"),
                FieldPanel("featured"),
            ],
            heading=_("Learning path"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("search_key"),
        index.FilterField("topic"),
        index.FilterField("level"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def build_search_key(self) -> str:
        parts = [self.title, self.summary, self.get_topic_display(), self.get_level_display()]
        # A draft's audience rows may still be empty (""): no label, and no ValueError.
        labels = dict(Audience.choices)
        parts += [
            str(labels[a.audience]) for a in self.audience_links.all() if a.audience in labels
        ]
        return f" {fold(' '.join(str(p) for p in parts))} "

    def clean(self):
        super().clean()
        self.title = nfc(self.title)
        self.summary = nfc(self.summary)
        if self.pk and any(c.pk == self.pk for c in self.prerequisites.all()):
            raise ValidationError({"prerequisites": _("A course cannot require itself.")})
        self.search_key = self.build_search_key()

    def route(self, request, path_components):
        return route_to_child(self, request, path_components, LessonPage)

    @property
    def audience_codes(self) -> list[str]:
        return [link.audience for link in self.audience_links.all()]

    serve = served_by_view  # courses.views (registered in CoursesConfig.ready)


class CourseAudience(Orderable):
    """One audience a course is made for; a course has one or more."""

    course = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="audience_links")
    audience = models.CharField(_("audience"), max_length=30, choices=Audience.choices)

    panels = [FieldPanel("audience")]

    class Meta(Orderable.Meta):
        verbose_name = _("audience")
        constraints = [
            # A draft may hold rows not chosen yet (""), several of them.
            models.UniqueConstraint(
                fields=["course", "audience"],
                condition=~Q(audience=""),
                name="course_audience_unique",
            )
        ]
        indexes = [models.Index(fields=["audience", "course"], name="course_audience_idx")]


class LessonPage(Page):
    base_form_class = HocSoPageForm
    section = models.CharField(
        _("section"),
        max_length=200,
        blank=True,
        help_text=_("Consecutive lessons with the same section title are shown as one section."),
    )
    required = models.BooleanField(
        _("required"), default=True, help_text=_("Counts towards completing the course.")
    )
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=5)
    body = StreamField(LessonBodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("section"),
        FieldPanel("required"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
    ]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    # One moderation round per course: a lesson is never submitted on its own. Editors
    # save lessons as drafts; submitting the course sends them along, and approving the
    # course (CourseApprovalTask) publishes them.
    @property
    def has_workflow(self):
        return False

    def get_workflow(self):
        return None

    # Reading the raw stream (no block rendering, no snippet queries) tells how the lesson
    # completes. Rule: required activities present -> all of them passed; else a library
    # video present -> a video watched to 90%; else the learner confirms reading.
    def required_activity_ids(self) -> list[str]:
        return [
            child["id"]
            for child in self.body.raw_data
            if child["type"] in activity_block_types()
            and (child["value"] or {}).get("required", True)
        ]

    def activity_ids(self) -> list[str]:
        return [
            child["id"] for child in self.body.raw_data if child["type"] in activity_block_types()
        ]

    def video_blocks(self) -> dict[str, int]:
        """block id -> cms.Video id, for library videos (embeds cannot report progress)."""
        return {
            child["id"]: child["value"]["video"]
            for child in self.body.raw_data
            if child["type"] == "video" and (child["value"] or {}).get("video")
        }

    @property
    def completion_mode(self) -> str:
        if self.required_activity_ids():
            return "activities"
        if self.video_blocks():
            return "video"
        return "read"

    serve = served_by_view  # courses.views (registered in CoursesConfig.ready)


class EnrolmentQuerySet(models.QuerySet):
    def active(self):
        """Enrolments the learner has not left; use this for anything about "now"."""
        return self.filter(unenrolled_at__isnull=True)

    def completed(self):
        return self.filter(completed_at__isnull=False)


class Enrolment(TimestampedModel):
    """A learner's place in a course. Unenrolling sets `unenrolled_at` and keeps the row;
    enrolling again creates a new row (one *active* row per user and course, enforced by a
    partial unique index). Lesson progress belongs to (user, lesson), not to the enrolment,
    so it survives unenrolling and counts again on re-enrolment."""

    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        ASSIGNMENT = "assignment", _("Assigned")
        CAMPAIGN = "campaign", _("Campaign")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="enrolments")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_ref = models.CharField(
        _("source reference"), max_length=100, blank=True, help_text='e.g. "campaign:12"'
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"))
    unenrolled_at = models.DateTimeField(_("unenrolled at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Which version of the course was completed: the live revision at completion time and
    # the number of required lessons it had. Lessons added later do not undo a completion.
    completed_revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_required_lessons = models.PositiveIntegerField(null=True, blank=True)
    # Denormalised, updated in the same transaction as the progress that changes them.
    lessons_done = models.PositiveIntegerField(default=0)
    percent = models.PositiveSmallIntegerField(default=0)
    last_lesson = models.ForeignKey(
        LessonPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=Q(unenrolled_at__isnull=True),
                name="enrolment_one_active_per_user_course",
            ),
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="enrolment_percent_at_most_100"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "unenrolled_at"], name="enrolment_user_active_idx"),
            models.Index(fields=["course", "completed_at"], name="enrolment_course_done_idx"),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.course_id} ({self.source})"

    @property
    def is_active(self) -> bool:
        return self.unenrolled_at is None

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


ACTIVITY_RESULTS_VERSION = 1


def empty_activity_results() -> dict:
    return {"version": ACTIVITY_RESULTS_VERSION, "blocks": {}}


class LessonProgress(TimestampedModel):
    """Summary of one learner on one lesson (Kolibri's "summary log").

    `activity_results` shape (version 1)::

        {"version": 1,
         "blocks": {"<block id>": {"passed": bool, "score_percent": float | null,
                                    "best_score_percent": float | null,
                                    "attempts": int, "passed_at": iso8601 | null,
                                    "updated_at": iso8601}}}

    Once an activity is passed it stays passed (a later lower score keeps `passed`).
    `opened_at` is when the learner first opened the lesson: a claim that a video was
    watched to 90% is refused if it arrives sooner than 90% of the video's duration later.
    """

    class Evidence(models.TextChoices):
        READ = "read", _("Confirmed reading")
        VIDEO = "video", _("Watched the video")
        ACTIVITY = "activity", _("Passed the activities")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="progress")
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="lesson_progress")
    opened_at = models.DateTimeField(null=True, blank=True)
    video_watched = models.BooleanField(default=False)
    read_confirmed = models.BooleanField(default=False)
    activity_results = models.JSONField(default=empty_activity_results)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.CharField(max_length=20, choices=Evidence.choices, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lesson_progress_unique"),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | ~Q(completed_by=""),
                name="lesson_progress_completed_has_evidence",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "course"], name="lesson_progress_user_course"),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.lesson_id}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    def activity(self, block_id: str) -> dict | None:
        return (self.activity_results or {}).get("blocks", {}).get(block_id)

    def activity_passed(self, block_id: str) -> bool:
        result = self.activity(block_id)
        return bool(result and result.get("passed"))


class CourseApprovalTask(AbstractGroupApprovalTask):
    """The moderation step of a course and its lessons: one item for the moderators, one
    approval. When the approval finishes the workflow (the course is published), the
    latest drafts of the course's lessons are published too (courses.moderation).
    Put it last in the course workflow."""

    def on_action(self, task_state, user, action_name, **kwargs):
        # One transaction: the approval that finishes the workflow publishes the course and
        # Wagtail's workflow_approved signal, sent inside, publishes its lessons
        # (courses.moderation); both commit or neither.
        with transaction.atomic():
            super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups approve a course and all its lessons at once")

    class Meta:
        verbose_name = _("course approval task")
        verbose_name_plural = _("course approval tasks")
