"""Wagtail admin: the privacy requests' queue (accounts.privacy_admin), for superusers."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from accounts import privacy, privacy_admin
from cms.admin_pages import SuperuserMenuItem


@hooks.register("register_admin_urls")
def register_privacy_request_urls():
    return [
        path(
            "yeu-cau-du-lieu/",
            include((privacy_admin.urlpatterns, "privacy_requests"), namespace="privacy_requests"),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_privacy_requests_menu_item():
    return SuperuserMenuItem(
        _("Privacy requests"), reverse("privacy_requests:index"), icon_name="user", order=470
    )


# Admin roles (superuser, staff, groups) changed in Wagtail's user admin go to the audit
# log: the roles before the edit are kept on the request, compared after the save.


@hooks.register("before_edit_user")
def remember_admin_roles(request, user):
    request.hocso_roles_before = privacy.admin_roles(user)


@hooks.register("after_edit_user")
def audit_admin_roles_edited(request, user):
    before = getattr(request, "hocso_roles_before", None)
    if before is not None:
        privacy.admin_roles_audited(request=request, user=user, before=before)


@hooks.register("after_create_user")
def audit_admin_roles_created(request, user):
    privacy.admin_roles_audited(
        request=request, user=user, before={"is_superuser": False, "is_staff": False, "groups": []}
    )
