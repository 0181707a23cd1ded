"""Wagtail admin views: bank import (dry run, then all or nothing), export, the XLSX
template, and item statistics. Thin: parsing in assessments.interchange, writes in
assessments.services, reads in assessments.selectors."""

import base64
import binascii

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import selectors, services
from assessments.interchange import MAX_FILE_BYTES, PARSERS, export_gift, export_xlsx
from assessments.interchange import example_questions as template_questions
from assessments.models import Attempt, QuestionCategory, Quiz

SIGNING_SALT = "assessments.bank_import"
FORMATS = [("auto", gettext_lazy("From the file name")), ("gift", "GIFT (Moodle)"),
           ("aiken", "Aiken"), ("xlsx", gettext_lazy("HọcSố XLSX template"))]  # fmt: skip


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
    payload = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_FILE_BYTES:
                raise forms.ValidationError(_("The file is larger than 2 MB."))
            raw = upload.read()
            fmt = data.get("format")
            if fmt == "auto":
                name = upload.name.lower()
                fmt = "xlsx" if name.endswith(".xlsx") else "aiken" if "aiken" in name else "gift"
            data["raw"], data["fmt"] = raw, fmt
        elif data.get("payload"):
            try:
                payload = signing.loads(data["payload"], salt=SIGNING_SALT, max_age=3600)
                data["raw"] = base64.b64decode(payload["data"])
                data["fmt"] = payload["fmt"]
                data["default_category"] = payload["category"]
            except (signing.BadSignature, binascii.Error, KeyError):
                raise forms.ValidationError(_("Upload the file again.")) from None
        else:
            raise forms.ValidationError(_("Choose a file to import."))
        return data


def bank_import_view(request):
    _require(request, "assessments.add_question")
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "header_title": _("Import questions"), "header_icon": "download"}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fmt, category = data["fmt"], data.get("default_category", "")
        result = PARSERS[fmt](data["raw"], default_category=category)
        context.update({"result": result, "fmt": fmt})
        if request.POST.get("action") == "import" and result.ok:
            try:
                created = services.bank_import(
                    questions=result.questions, default_category=category
                )
            except services.ImportRefused as refused:
                context["result"].problems.extend(refused.problems)
            else:
                messages.success(request, _("%(n)d questions imported.") % {"n": len(created)})
                return redirect("assessments_bank:import")
        elif result.ok:
            context["payload"] = signing.dumps(
                {"data": base64.b64encode(data["raw"]).decode(), "fmt": fmt, "category": category},
                salt=SIGNING_SALT,
                compress=True,
            )
    context["categories"] = QuestionCategory.objects.order_by("name")
    return TemplateResponse(request, "assessments/admin/import.html", context)


def bank_export_view(request):
    _require(request, "assessments.view_question")
    ids = [int(i) for i in request.GET.getlist("category") if i.isdigit()]
    fmt = request.GET.get("format", "gift")
    questions = selectors.bank_for_export(category_ids=ids or None)
    name = "ngan-hang-cau-hoi"
    if len(ids) == 1:
        category = QuestionCategory.objects.filter(pk=ids[0]).first()
        name = slugify(category.name.replace("/", "-")) if category else name
    if fmt == "xlsx":
        response = HttpResponse(
            export_xlsx(questions),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(export_gift(questions), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.gift.txt"'
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
        {"quizzes": quizzes, "header_title": _("Quiz statistics"), "header_icon": "table"},
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
            "header_title": _("Statistics: %(quiz)s") % {"quiz": quiz.title},
            "header_icon": "table",
            "open_attempts": Attempt.objects.filter(quiz=quiz, state="in_progress").count(),
        },
    )
