"""Wagtail admin views: bank import (a dry run listing each question ready or refused,
then "import the ready ones", or all or nothing when asked), export, the XLSX
template, and item statistics. Thin: parsing in assessments.interchange, writes in
assessments.services, reads in assessments.selectors."""

import base64
import binascii
from dataclasses import replace

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import question_types, selectors, services
from assessments.bank_formats import (
    CONTENT_EXTENSIONS,
    DOWNLOADS,
    EXPORTERS,
    PARSERS,
    format_for_name,
)
from assessments.interchange import example_questions as template_questions
from assessments.interchange import export_xlsx, max_file_bytes
from assessments.models import Attempt, QuestionCategory, Quiz
from cms import spreadsheets
from cms.admin_pages import admin_heading
from cms.text import ascii_slug
from cms.uploads import upload_refusal

SIGNING_SALT = "assessments.bank_import"
FORMATS = [("auto", gettext_lazy("From the file name")), ("gift", "GIFT (Moodle)"),
           ("moodlexml", "Moodle XML"), ("aiken", "Aiken"),
           ("xlsx", gettext_lazy("HọcSố XLSX template"))]  # fmt: skip


def _require(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), required=False)
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=FORMATS, initial="auto")
    default_category = forms.CharField(
        label=gettext_lazy("Category for questions without one"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("GIFT's $CATEGORY and the XLSX “Nhóm” column take precedence."),
    )
    all_or_nothing = forms.BooleanField(
        label=gettext_lazy("All or nothing"),
        required=False,
        help_text=gettext_lazy("Import nothing while any question is refused."),
    )
    payload = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            try:  # before reading it: settings.QUESTION_IMPORT_MAX_BYTES
                spreadsheets.size_check(upload.size, max_bytes=max_file_bytes())
            except spreadsheets.SpreadsheetError as exc:
                raise forms.ValidationError(str(exc)) from None
            fmt = data.get("format")
            if fmt == "auto":
                fmt = format_for_name(upload.name)
            # What it really is, and ClamAV, before any parser reads it (an XLSX is checked
            # again by parse_xlsx's cms.spreadsheets.upload_check, the command line's gate).
            problem = upload_refusal(upload, ext=CONTENT_EXTENSIONS.get(fmt))
            if problem:
                raise forms.ValidationError(problem)
            data["raw"], data["fmt"] = upload.read(), fmt
        elif data.get("payload"):
            try:
                payload = signing.loads(data["payload"], salt=SIGNING_SALT, max_age=3600)
                data["raw"] = base64.b64decode(payload["data"])
                data["fmt"] = payload["fmt"]
                data["default_category"] = payload["category"]
                data["all_or_nothing"] = payload.get("all", False)
            except (signing.BadSignature, binascii.Error, KeyError):
                raise forms.ValidationError(_("Upload the file again.")) from None
        else:
            raise forms.ValidationError(_("Choose a file to import."))
        return data


def bank_import_view(request):
    _require(request, "assessments.add_question")
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, **admin_heading(_("Import questions"), "download")}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fmt, category = data["fmt"], data.get("default_category", "")
        everything = bool(data.get("all_or_nothing"))
        result = PARSERS[fmt](data["raw"], default_category=category)
        to_import = (result.questions if result.ok else []) if everything else result.ready
        context.update({"result": result, "fmt": fmt, "to_import": to_import,
                        "all_or_nothing": everything})  # fmt: skip
        if request.POST.get("action") == "import" and to_import:
            try:
                created = services.bank_import_checked(
                    result=result, default_category=category, all_or_nothing=everything
                )
            except services.AlreadyImported as done:
                messages.warning(request, done.message)
                return redirect("assessments_bank:import")
            except services.ImportRefused as refused:
                context["result"].problems.extend(refused.problems)
            else:
                messages.success(
                    request,
                    _("%(n)d questions imported, %(m)d refused.")
                    % {"n": len(created), "m": len(result.items) - len(created)},
                )
                return redirect("assessments_bank:import")
        elif to_import:
            context["payload"] = signing.dumps(
                {"data": base64.b64encode(data["raw"]).decode(), "fmt": fmt, "category": category,
                 "all": everything},
                salt=SIGNING_SALT,
                compress=True,
            )  # fmt: skip
    context["categories"] = QuestionCategory.objects.order_by("name")
    return TemplateResponse(request, "assessments/admin/import.html", context)


def bank_export_view(request):
    _require(request, "assessments.view_question")
    ids = [int(i) for i in request.GET.getlist("category") if i.isdigit()]
    fmt = request.GET.get("format", "gift")
    if fmt not in EXPORTERS:
        fmt = "gift"
    questions = selectors.bank_for_export(category_ids=ids or None, with_files=fmt == "moodlexml")
    name = "ngan-hang-cau-hoi"
    if len(ids) == 1:
        category = QuestionCategory.objects.filter(pk=ids[0]).first()
        name = ascii_slug(category.name.replace("/", "-")) if category else name
    content_type, suffix = DOWNLOADS[fmt]
    response = HttpResponse(EXPORTERS[fmt](questions), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}{suffix}"'
    return response


def bank_template_view(request):
    _require(request, "assessments.add_question")
    response = HttpResponse(
        export_xlsx(template_questions(), example=True),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-cau-hoi-hocso.xlsx"'
    return response


def statistics_index_view(request):
    _require(request, "assessments.change_quiz")
    quizzes = selectors.quizzes_with_attempt_counts()
    return TemplateResponse(
        request,
        "assessments/admin/statistics_index.html",
        {"quizzes": quizzes, **admin_heading(_("Quiz statistics"), "table")},
    )


def statistics_view(request, quiz_id):
    _require(request, "assessments.change_quiz")
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    stats = selectors.quiz_statistics(quiz=quiz)
    peak = max((n for _label, n in stats.distribution), default=0) or 1
    return TemplateResponse(
        request,
        "assessments/admin/statistics.html",
        {
            "quiz": quiz,
            "stats": stats,
            "bars": [(label, n, round(100 * n / peak)) for label, n in stats.distribution],
            **admin_heading(_("Statistics: %(quiz)s") % {"quiz": quiz.title}, "table"),
            "open_attempts": Attempt.objects.filter(quiz=quiz, state="in_progress").count(),
        },
    )


def _described(q):
    """A served question with its answers as editors read them ("2,25 ± 0,01", not GIFT's)."""
    kind = question_types.get(q.type)
    q.choices = [replace(c, text=kind.describe_choice(c.text)) for c in q.choices]
    return q


def quiz_preview_view(request, quiz_id: int):
    """Editors see a quiz as a learner would be served it (one random draw, shuffled as
    configured). Records nothing: learners take quizzes only inside a lesson."""
    _require(request, "assessments.change_quiz")
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    preview = services.quiz_preview(quiz=quiz)
    return TemplateResponse(
        request,
        "assessments/admin/preview.html",
        {
            "quiz": quiz,
            "questions": [
                (_described(q), q.type_label) for q in selectors.attempt_questions(preview)
            ],
            **admin_heading(_("Preview: %(title)s") % {"title": quiz.title}),
        },
    )
