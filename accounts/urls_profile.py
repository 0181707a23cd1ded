"""The profile page, mounted at /tai-khoan/ho-so/ before allauth's routes (cms/urls.py)."""

from django.urls import path

from accounts.profile import profile

urlpatterns = [path("", profile, name="profile")]
