"""Wagtail admin: the question bank, quizzes, import/export and item statistics."""

from django import forms
from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from assessments import admin_views, services
from assessments.models import Question, QuestionCategory, Quiz
from cms.forms import SlugFromTitleForm


class QuizForm(SlugFromTitleForm):
    """The quiz form: the slug follows the title, and a whole category of the bank is added
    in one step (each of its questions not yet in the quiz, at the end) on saving."""

    add_questions_from = forms.ModelChoiceField(
        queryset=QuestionCategory.objects.all(),
        required=False,
        label=_("Add every question of a category"),
        help_text=_("On saving, each question of this category not yet in the quiz is added."),
    )

    def save(self, commit=True):
        quiz = super().save(commit=commit)
        category = self.cleaned_data.get("add_questions_from")
        if commit and category:
            services.quiz_add_category_questions(quiz=quiz, category=category)
        return quiz


class QuestionForm(WagtailAdminModelForm):
    """The question form: a new question gives partial credit unless the editor says
    otherwise, as Moodle grades matching per pair (and adds a multiple choice's fractions);
    all or nothing stays an option per question."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "partial_credit" in self.fields:
            self.initial["partial_credit"] = True


# The type in words, not its code ("single").
TYPE_COLUMN = Column("qtype", label=_("question type"), accessor="get_qtype_display")
CATEGORY_COLUMN = Column("category", label=_("category"), accessor="category")


class QuestionColumnsMixin:
    """The question chooser lists the question itself (its __str__), its type in words and
    its category, not only an imported name such as "Zalo-1"."""

    @property
    def columns(self):
        return [*super().columns, TYPE_COLUMN, CATEGORY_COLUMN]

    def get_object_list(self):
        return super().get_object_list().select_related("category")


class QuestionChooseView(QuestionColumnsMixin, ChooseView):
    pass


class QuestionChooseResultsView(QuestionColumnsMixin, ChooseResultsView):
    pass


class QuestionChooserViewSet(SnippetChooserViewSet):
    choose_view_class = QuestionChooseView
    choose_results_view_class = QuestionChooseResultsView


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    list_display = ["title", "slug", "pass_mark_percent", "max_attempts", "updated_at"]
    search_fields = ["title", "slug"]
    edit_handler = ObjectList(Quiz.panels, base_form_class=QuizForm)


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Question bank")
    list_display = ["__str__", TYPE_COLUMN, "category", "updated_at"]
    list_filter = ["qtype", "category"]
    search_fields = ["text", "title"]
    chooser_viewset_class = QuestionChooserViewSet
    edit_handler = ObjectList(Question.panels, base_form_class=QuestionForm)


class QuestionCategoryViewSet(SnippetViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = _("Question categories")
    list_display = ["name", "updated_at"]
    search_fields = ["name"]


class PermissionPagesViewSet(ViewSet):
    """Admin pages behind one menu item, shown to holders of `permission`; `pages` are
    (route, view, url name). Each row of `_PAGES` below makes one."""

    permission = ""
    pages: tuple = ()

    @property
    def menu_item_class(self):
        permission = self.permission

        class PermissionMenuItem(MenuItem):
            def is_shown(self, request):
                return request.user.has_perm(permission)

        return PermissionMenuItem

    def get_urlpatterns(self):
        return [path(route, view, name=name) for route, view, name in self.pages]


# (viewset name, URL prefix, icon, menu label, permission, pages): the admin's own pages.
_PAGES = (
    ("assessments_bank", "cau-hoi/nhap-xuat", "download", _("Import and export"),
     "assessments.add_question",
     (("", admin_views.bank_import_view, "import"),
      ("xuat/", admin_views.bank_export_view, "export"),
      ("mau.xlsx", admin_views.bank_template_view, "template"))),
    ("assessments_statistics", "kiem-tra/thong-ke", "table", _("Quiz statistics"),
     "assessments.change_quiz",
     (("", admin_views.statistics_index_view, "index"),
      ("<int:quiz_id>/", admin_views.statistics_view, "detail"))),
)  # fmt: skip


def _pages_viewset(name, prefix, icon, label, permission, pages) -> type[PermissionPagesViewSet]:
    attributes = {"name": name, "url_prefix": prefix, "icon": icon, "menu_label": label}
    attributes.update(permission=permission, pages=pages)
    return type(f"PagesViewSet_{name}", (PermissionPagesViewSet,), attributes)


BankInterchangeViewSet, QuizStatisticsViewSet = (_pages_viewset(*row) for row in _PAGES)


class AssessmentsViewSetGroup(SnippetViewSetGroup):
    items = (
        QuizViewSet,
        QuestionViewSet,
        QuestionCategoryViewSet,
        BankInterchangeViewSet,
        QuizStatisticsViewSet,
    )
    menu_icon = "tasks"
    menu_label = _("Quizzes")
    menu_name = "assessments"
    menu_order = 260


register_snippet(AssessmentsViewSetGroup)


@hooks.register("register_admin_urls")
def register_quiz_preview_url():
    # Editors' preview of a quiz (records nothing); learners take quizzes only in lessons.
    return [
        path(
            "kiem-tra/xem-truoc/<int:quiz_id>/",
            admin_views.quiz_preview_view,
            name="assessments_quiz_preview",
        )
    ]


@hooks.register("register_snippet_listing_buttons")
def quiz_preview_listing_button(snippet, user, next_url=None):
    if isinstance(snippet, Quiz) and user.has_perm("assessments.change_quiz"):
        yield ListingButton(
            _("Preview"),
            reverse("assessments_quiz_preview", args=[snippet.pk]),
            icon_name="view",
            priority=15,
        )


@hooks.register("register_permissions")
def register_grade_essay_permission():
    """The "Chấm bài tự luận" permission (assessments.grade_essay) in Wagtail's group editor: an
    administrator gives it to a group of managers or teachers (the grading queue is
    campaigns.grading, scoped to their agencies)."""
    return Permission.objects.filter(content_type__app_label="assessments", codename="grade_essay")
