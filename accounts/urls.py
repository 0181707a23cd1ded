"""Mounted at the root before Wagtail's admin (cms/urls.py), so these win."""

from allauth.account.views import SignupView
from django.db import transaction
from django.urls import path

from accounts import phone_passwords, views
from accounts.privacy_consent import privacy_consent
from accounts.privacy_views import (
    my_data,
    my_data_consent,
    my_data_delete,
    my_data_download,
    my_data_request,
    my_data_request_withdraw,
)

urlpatterns = [
    path("admin/login/", views.admin_login, name="admin_login_handover"),
    path("admin/password_reset/", views.admin_password_reset),
    path("admin/password_reset/<path:rest>", views.admin_password_reset),
    # The Django admin is gone (Wagtail is the one admin); its old log-in address still
    # hands over, so a bookmark never finds a password form.
    path("django-admin/login/", views.admin_login),
    # allauth's sign-up in one transaction: the account, its e-mail address and the consent
    # record are written together or not at all (a database restart in the middle left an
    # account without its address: tests/resilience/test_postgres_restart.py).
    path("tai-khoan/signup/", transaction.atomic(SignupView.as_view())),
    # "My data" (issue 14): the person's own data, downloads and consents.
    path("tai-khoan/dong-y/", privacy_consent, name="privacy_consent"),
    path("tai-khoan/du-lieu/", my_data, name="my_data"),
    path("tai-khoan/du-lieu/dong-y/", my_data_consent, name="my_data_consent"),
    path("tai-khoan/du-lieu/yeu-cau/", my_data_request, name="my_data_request"),
    path("tai-khoan/du-lieu/xoa/", my_data_delete, name="my_data_delete"),
    path(
        "tai-khoan/du-lieu/yeu-cau/rut-lai/",
        my_data_request_withdraw,
        name="my_data_request_withdraw",
    ),  # fmt: skip
    path("tai-khoan/du-lieu/tai-ve.<str:fmt>", my_data_download, name="my_data_download"),
    # A password from a link sent by SMS (imported phone-only people; forgot password).
    path(
        "tai-khoan/quen-mat-khau/so-dien-thoai/",
        phone_passwords.phone_password_reset,
        name="phone_password_reset",
    ),
    path(
        "tai-khoan/quen-mat-khau/so-dien-thoai/da-gui/",
        phone_passwords.phone_password_reset_done,
        name="phone_password_reset_done",
    ),
    path(
        "tai-khoan/dat-mat-khau/<str:uidb36>/<str:key>/",
        phone_passwords.phone_set_password,
        name="phone_set_password",
    ),
]
