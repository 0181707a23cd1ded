"""Everyone's notices (the header's bell), mounted at /thong-bao/ (namespace "notices")."""

from django.urls import path

from campaigns import views

app_name = "notices"
urlpatterns = [
    path("", views.notices, name="list"),
    path("<int:notice_id>/", views.notice_open, name="open"),
    path("da-doc/", views.notices_read, name="read_all"),
]
