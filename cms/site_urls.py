"""Routes of the cms floor's own views (namespace "cms"), included before Wagtail's pages."""

from django.urls import path

from cms import views

app_name = "cms"

urlpatterns = [
    path("tim-kiem/", views.search, name="search"),
]
