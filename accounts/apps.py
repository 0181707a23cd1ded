from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"
    default = True


class HocSoUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with forms for our e-mail-keyed user (full name, phone)."""

    user_viewset = "accounts.viewsets.UserViewSet"
