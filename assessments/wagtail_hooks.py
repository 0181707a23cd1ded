"""Wagtail admin: the question bank, quizzes, import/export and item statistics."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from assessments import admin_views
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


def _permission_menu_item(permission):
    class PermissionMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm(permission)

    return PermissionMenuItem


class BankInterchangeViewSet(ViewSet):
    """Import (GIFT, Aiken, XLSX) with a dry run, export, and the XLSX template."""

    name = "assessments_bank"
    url_prefix = "cau-hoi/nhap-xuat"
    icon = "download"
    menu_label = _("Import and export")
    menu_item_class = _permission_menu_item("assessments.add_question")

    def get_urlpatterns(self):
        return [
            path("", admin_views.bank_import_view, name="import"),
            path("xuat/", admin_views.bank_export_view, name="export"),
            path("mau.xlsx", admin_views.bank_template_view, name="template"),
        ]


class QuizStatisticsViewSet(ViewSet):
    name = "assessments_statistics"
    url_prefix = "kiem-tra/thong-ke"
    icon = "table"
    menu_label = _("Quiz statistics")
    menu_item_class = _permission_menu_item("assessments.change_quiz")

    def get_urlpatterns(self):
        return [
            path("", admin_views.statistics_index_view, name="index"),
            path("<int:quiz_id>/", admin_views.statistics_view, name="detail"),
        ]


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
