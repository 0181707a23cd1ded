"""Wagtail admin: the question bank, quizzes, import/export and item statistics."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from assessments.models import Question, QuestionCategory, Quiz


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    list_display = ["title", "slug", "pass_mark_percent", "max_attempts", "updated_at"]
    search_fields = ["title", "slug"]


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Question bank")
    list_display = ["__str__", "qtype", "category", "updated_at"]
    list_filter = ["qtype", "category"]
    search_fields = ["text", "title"]


class QuestionCategoryViewSet(SnippetViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = _("Question categories")
    list_display = ["name", "updated_at"]
    search_fields = ["name"]


class AssessmentsViewSetGroup(SnippetViewSetGroup):
    items = (QuizViewSet, QuestionViewSet, QuestionCategoryViewSet)
    menu_icon = "tasks"
    menu_label = _("Quizzes")
    menu_name = "assessments"
    menu_order = 260


register_snippet(AssessmentsViewSetGroup)
