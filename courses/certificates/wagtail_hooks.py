"""Wagtail admin: certificate templates (snippets, with a PDF preview) and issued
certificates (search, revoke, re-issue). Saving a template re-renders its certificates."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.outbox import task_send
from courses.certificates import admin_views
from courses.certificates.models import CertificateTemplate
from courses.certificates.tasks import certificates_rerender_template_task


class CertificateTemplateViewSet(SnippetViewSet):
    model = CertificateTemplate
    icon = "doc-full"
    menu_label = _("Certificate templates")
    list_display = ["name", "issuer", "is_default", "updated_at"]
    search_fields = ["name", "issuer"]


register_snippet(CertificateTemplateViewSet)


def _rerender_after_save(request, instance):
    if isinstance(instance, CertificateTemplate):
        task_send(
            certificates_rerender_template_task, [instance.pk], queue="certificates", robust=True
        )


hooks.register("after_edit_snippet", _rerender_after_save)


@hooks.register("register_admin_urls")
def register_certificate_admin_urls():
    return [
        path(
            "certificates/",
            include(
                (admin_views.urlpatterns, "certificates_admin"), namespace="certificates_admin"
            ),
        )
    ]


class CertificatesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("certificates.change_certificate")


@hooks.register("register_admin_menu_item")
def register_certificates_menu_item():
    return CertificatesMenuItem(
        _("Certificates"), reverse("certificates_admin:index"), icon_name="tick-inverse", order=450
    )
