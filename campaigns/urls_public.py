"""Open data (dữ liệu mở): public, anonymous, aggregate numbers only (see views_public)."""

from django.urls import path

from campaigns import views_public

app_name = "open_data"
urlpatterns = [
    path("", views_public.index, name="index"),
    path("du-lieu.json", views_public.data_json, name="json"),
    path("du-lieu.csv", views_public.data_csv, name="csv"),
    path("thi-dua/", views_public.ranking, name="ranking"),
]
