"""Question bank, quizzes and attempts.

Dependency direction: assessments imports accounts and cms only; it knows nothing of
courses. A lesson scopes its attempts with an opaque `context_key` string
("lesson:<lesson id>:<block id>"); the standalone quiz page uses "".

JSON shapes (each carries "version"):

Attempt.frozen (written once by attempt_start, never changed)::

    {"version": 1,
     "questions": [{"id": <question pk>, "type": "<question type code>", "points": <int>,
                    "choices": ["<choice key>", ...],        # served order
                    "options": ["<choice key>", ...]}]}      # matching: right-hand options

Attempt.answers (attempt_save / attempt_submit; keys are question pks as strings)::

    {"version": 1,
     "responses": {"<qid>": {"choice": "<key>"}             # single, true/false
                          | {"choices": ["<key>", ...]}     # multiple
                          | {"text": "..."}                 # short answer, numerical
                          | {"order": ["<key>", ...]}       # ordering
                          | {"pairs": {"<left key>": "<option key>"}}}}  # matching

QuestionResult.response holds one question's response in the same shape.
Choice keys are random per choice, so the served HTML never reveals the creation order
(which would give away an ordering question's answer).
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    TitleFieldPanel,
)
from wagtail.models import Orderable
from wagtail.search import index

from assessments import question_types
from assessments.formats import TextFormat
from cms.models import TimestampedModel

ANSWERS_VERSION = 1
FROZEN_VERSION = 1


def new_choice_key() -> str:
    return secrets.token_urlsafe(9)


class QuestionCategory(TimestampedModel):
    """A folder of the question bank. `name` is the full path ("Kỹ năng số/Lừa đảo"), as in
    GIFT's $CATEGORY, so an import finds or creates it by name."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")

    def __str__(self):
        return self.name


class TaggedQuestion(TaggedItemBase):
    content_object = ParentalKey(
        "assessments.Question", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Question(index.Indexed, TimestampedModel, ClusterableModel):
    """One question of the bank. Its answers are `choices`, whose meaning depends on its type
    (each type's module in assessments/question_types/ says more):

    - single / multiple: options; `weight` is the percent of the mark a choice gives
      (single: 100 on the right one; multiple: positive weights on the right ones).
    - true/false: exactly two choices, "Đúng" then "Sai"; the right one has weight 100.
    - short answer: accepted answers, each with its weight.
    - ordering: items in their correct order (the choice order in the bank).
    - matching: `text` is the left item, `match_text` the right one it pairs with.
    """

    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    # The types are the registry's (assessments/question_types/): a new one needs no migration.
    qtype = models.CharField(
        _("question type"),
        max_length=question_types.MAX_CODE_LENGTH,
        choices=question_types.choices,
        default=question_types.DEFAULT,
    )
    title = models.CharField(
        _("title"), max_length=255, blank=True, help_text=_("A short name for editors.")
    )
    text = models.TextField(_("question text"))
    # How the text, answers and feedback reach a page (assessments.formats.render).
    text_format = models.CharField(
        _("text format"), max_length=10, choices=TextFormat.choices, default=TextFormat.PLAIN
    )
    general_feedback = models.TextField(
        _("general feedback"), blank=True, help_text=_("Shown in the review, whatever answer.")
    )
    points = models.PositiveSmallIntegerField(
        _("points"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    partial_credit = models.BooleanField(
        _("partial credit"),
        default=False,
        help_text=_(
            "Multiple choice, ordering and matching: give part of the mark for a partly "
            "right answer (a matching question per pair, as in Moodle). Otherwise all or "
            "nothing. On for a new question."
        ),
    )
    ignore_diacritics = models.BooleanField(
        _("ignore diacritics"),
        default=False,
        help_text=_("Short answer: accept “Ha Noi” for “Hà Nội”."),
    )
    case_sensitive = models.BooleanField(
        _("case sensitive"),
        default=False,
        help_text=_(
            "Short answer: “VNeID” is not accepted for “vneid” (Moodle's case sensitivity)."
        ),
    )
    # Moodle's per-question flag: answers are shuffled when the quiz and the question say so.
    shuffle_choices = models.BooleanField(_("shuffle this question's answers"), default=True)
    # Moodle's penalty per extra try: HọcSố gives one try, so it is kept only for the files
    # (Moodle XML, GIFT's [hocso:penalty=...]) to give it back.
    penalty = models.DecimalField(
        _("penalty (Moodle)"),
        max_digits=8,
        decimal_places=7,
        default=Decimal("0.3333333"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    # Essay questions (graded by a person): the grader's notes and the answer's word limits
    # (Moodle's graderinfo, minwordlimit, maxwordlimit). Other types leave them empty.
    grader_info = models.TextField(
        _("rubric (grader's notes)"),
        blank=True,
        help_text=_("Essay: what a grader looks for. Graders see it, learners never do."),
    )
    min_words = models.PositiveIntegerField(_("minimum words"), null=True, blank=True)
    max_words = models.PositiveIntegerField(_("maximum words"), null=True, blank=True)
    tags = ClusterTaggableManager(through=TaggedQuestion, blank=True, verbose_name=_("tags"))

    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("category"), FieldPanel("qtype")]),
                FieldPanel("title"),
                FieldPanel("text"),
                FieldPanel("text_format"),
                FieldRowPanel([FieldPanel("points"), FieldPanel("partial_credit")]),
                FieldRowPanel([FieldPanel("ignore_diacritics"), FieldPanel("case_sensitive")]),
                FieldPanel("shuffle_choices"),
                FieldPanel("general_feedback"),
                FieldPanel("tags"),
            ],
            heading=_("Question"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("grader_info"),
                FieldRowPanel([FieldPanel("min_words"), FieldPanel("max_words")]),
            ],
            heading=_("Essay grading"),
            classname="collapsed",
        ),
        InlinePanel("choices", heading=_("Answers"), label=_("Answer"), min_num=0),
    ]
    search_fields = [
        index.SearchField("text"),
        index.SearchField("title"),
        index.FilterField("category"),
        index.FilterField("qtype"),
    ]

    class Meta:
        ordering = ["category__name", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [models.Index(fields=["category", "qtype"], name="question_category_type")]

    def __str__(self):
        # What choosers and listings show: the question itself and its type in words
        # (an imported GIFT name such as "Zalo-1" tells an editor nothing).
        text = " ".join(self.text.split())
        if len(text) > 90:
            text = f"{text[:89]}…"
        return f"{text} ({self.get_qtype_display()})"


class WeightField(models.DecimalField):
    """An answer's weight in percent, exact to 5 places as Moodle keeps it (33.33333: a
    fraction to 7 places). Its admin field reads what an editor types, "33,33333" too
    (assessments.forms.WeightFormField)."""

    def formfield(self, **kwargs):
        from assessments.forms import WeightFormField

        return super().formfield(**{"form_class": WeightFormField, **kwargs})


class Choice(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    key = models.CharField(max_length=16, default=new_choice_key, editable=False)
    text = models.TextField(_("answer text"))
    weight = WeightField(
        _("weight (%)"),
        max_digits=8,
        decimal_places=5,
        default=0,
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text=_(
            "100 for a right answer, 0 for a wrong one; part of 100 for partial credit, to 5 "
            "decimals as in Moodle (33.33333 for a third)."
        ),
    )
    match_text = models.CharField(
        _("matches"), max_length=255, blank=True, help_text=_("Matching questions only.")
    )
    feedback = models.TextField(_("feedback"), blank=True)

    panels = [
        FieldPanel("text"),
        FieldRowPanel([FieldPanel("weight"), FieldPanel("match_text")]),
        FieldPanel("feedback"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="choice_key_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=-100, weight__lte=100), name="choice_weight_range"
            ),
        ]

    def __str__(self):
        return self.text[:80]


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("Highest grade")
    LAST = "last", _("Last attempt")


class ReviewPolicy(models.TextChoices):
    """When a learner may see the right answers of a graded attempt. The default,
    PASS_OR_LAST, never shows them while a failed learner can still retake the quiz
    (AFTER_EACH would let them copy the answers into the next attempt)."""

    PASS_OR_LAST = "pass_or_last", _("After passing or after the last attempt")
    NEVER = "never", _("Never show the answers")
    AFTER_EACH = "after_each", _("After each attempt (lets a learner copy them into a retake)")
    AFTER_PASS = "after_pass", _("After passing")
    AFTER_CLOSE = "after_close", _("After the close date")


class Quiz(TimestampedModel, ClusterableModel):
    """A quiz (a Wagtail snippet chosen from a lesson block): which questions it draws and
    the rules of its attempts."""

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("Stable identity, used in links.")
    )
    intro = models.TextField(_("introduction"), blank=True)
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_choices = models.BooleanField(_("shuffle answers"), default=True)
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), null=True, blank=True, help_text=_("Empty: no time limit.")
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"), default=0, help_text=_("0: unlimited.")
    )
    pass_mark_percent = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    grading_method = models.CharField(
        _("grading method"), max_length=10, choices=GradingMethod.choices, default="highest"
    )
    review_policy = models.CharField(
        _("show answers"),
        max_length=12,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.PASS_OR_LAST,
    )
    open_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    close_at = models.DateTimeField(_("closes at"), null=True, blank=True)

    panels = [
        TitleFieldPanel("title", placeholder=False),  # fills the slug in as it is typed
        FieldPanel("slug"),
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pass_mark_percent"), FieldPanel("max_attempts")]),
                FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("grading_method")]),
                FieldPanel("review_policy"),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_choices")]),
                FieldRowPanel([FieldPanel("open_at"), FieldPanel("close_at")]),
            ],
            heading=_("Rules"),
        ),
        FieldPanel("add_questions_from"),  # a field of QuizForm: a whole category at once
        InlinePanel("slots", heading=_("Questions"), label=_("Question")),
    ]

    class Meta:
        ordering = ["title"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark_percent__lte=100), name="quiz_pass_mark_percent"
            ),
            models.CheckConstraint(
                condition=Q(open_at__isnull=True)
                | Q(close_at__isnull=True)
                | Q(close_at__gt=models.F("open_at")),
                name="quiz_close_after_open",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.open_at and self.close_at and self.close_at <= self.open_at:
            raise ValidationError({"close_at": _("The close date must be after the open date.")})


class QuizSlot(Orderable):
    """One line of a quiz: a fixed question, or `draw_count` questions drawn at random from a
    category at each attempt."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="slots")
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quiz_slots",
    )
    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=_("random from category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quiz_slots",
    )
    draw_count = models.PositiveSmallIntegerField(
        _("how many to draw"), default=1, validators=[MinValueValidator(1)]
    )

    # The random draw is the rarer case: folded away until the editor opens it.
    panels = [
        FieldPanel("question"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("category"), FieldPanel("draw_count")])],
            heading=_("Or draw questions at random from a category"),
            classname="collapsed",
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("quiz question")
        constraints = [
            models.CheckConstraint(
                condition=(Q(question__isnull=False) & Q(category__isnull=True))
                | (Q(question__isnull=True) & Q(category__isnull=False)),
                name="quizslot_question_xor_category",
            ),
            models.CheckConstraint(condition=Q(draw_count__gte=1), name="quizslot_draw_count"),
        ]

    def clean(self):
        super().clean()
        if bool(self.question_id) == bool(self.category_id):
            raise ValidationError(_("Choose either one question or a category to draw from."))


# The Wagtail group giving the "chấm bài" permission (assessments.grade_essay) and the
# admin: made by migration 0006; an administrator adds managers or teachers to it.
GRADERS_GROUP = "Người chấm bài"


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    # Submitted, holding an answer a person grades (an essay): no score yet.
    PENDING = "pending", _("Waiting for grading")
    GRADED = "graded", _("Graded")


class Attempt(models.Model):
    """One try at a quiz by one learner in one context (see module docstring for JSON)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    context_key = models.CharField(max_length=120, blank=True, default="")
    number = models.PositiveSmallIntegerField()
    state = models.CharField(
        max_length=12, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    started_at = models.DateTimeField()
    deadline_at = models.DateTimeField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    frozen = models.JSONField()
    answers = models.JSONField(default=dict)
    points = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    max_points = models.PositiveIntegerField(default=0)
    score_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    # True when the learner did not submit in time and the saved answers were graded.
    auto_submitted = models.BooleanField(default=False)

    class Meta:
        ordering = ["user", "quiz", "context_key", "number"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz", "context_key", "number"], name="attempt_number_unique"
            ),
            # At most one open attempt per learner, quiz and context: two tabs resume it.
            models.UniqueConstraint(
                fields=["user", "quiz", "context_key"],
                condition=Q(state="in_progress"),
                name="attempt_one_open",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="attempt_number_positive"),
            # Graded exactly when it has its grade; an open attempt has none.
            models.CheckConstraint(
                condition=(
                    Q(state="graded")
                    & Q(submitted_at__isnull=False)
                    & Q(score_percent__isnull=False)
                    & Q(passed__isnull=False)
                )
                | (
                    Q(state="in_progress")
                    & Q(submitted_at__isnull=True)
                    & Q(score_percent__isnull=True)
                    & Q(passed__isnull=True)
                )
                | (
                    Q(state="pending")
                    & Q(submitted_at__isnull=False)
                    & Q(score_percent__isnull=True)
                    & Q(passed__isnull=True)
                ),
                name="attempt_graded_has_grade",
            ),
            models.CheckConstraint(
                condition=Q(score_percent__isnull=True)
                | Q(score_percent__gte=0, score_percent__lte=100),
                name="attempt_score_range",
            ),
        ]
        indexes = [
            models.Index(fields=["quiz", "state"], name="attempt_quiz_state"),
        ]
        # Who may grade essays ("chấm bài"): given through a Wagtail group. The name is
        # stored in the database and shown as it is by Wagtail's group editor, so it is
        # written in Vietnamese here.
        permissions = [("grade_essay", "Chấm bài tự luận")]

    def __str__(self):
        return f"{self.quiz} #{self.number} ({self.user})"

    @property
    def is_open(self) -> bool:
        return self.state == AttemptState.IN_PROGRESS


class QuestionResult(models.Model):
    """The grade of one question in one graded attempt: what item statistics read."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="results")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveSmallIntegerField()
    fraction = models.DecimalField(max_digits=5, decimal_places=4)
    points = models.DecimalField(max_digits=7, decimal_places=2)
    max_points = models.PositiveSmallIntegerField()
    response = models.JSONField(null=True, blank=True)
    # An essay's answer waits for a person: graded once (essay grading service), then its
    # grader, when, and the feedback the learner reads.
    needs_grading = models.BooleanField(default=False)
    feedback = models.TextField(blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="result_once"),
            models.CheckConstraint(
                condition=Q(fraction__gte=0, fraction__lte=1), name="result_fraction_range"
            ),
        ]

    def __str__(self):
        return f"{self.attempt_id}/{self.question_id}: {self.fraction}"
