from django.urls import path

from courses.offline import views

app_name = "offline"
urlpatterns = [
    path("", views.offline_page, name="page"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.web_manifest, name="manifest"),
    path("khoa/<int:course_id>/", views.course_manifest, name="course_manifest"),
    path("bai/<int:lesson_id>/", views.lesson_copy, name="lesson_copy"),
    path("dong-bo/", views.sync, name="sync"),
]
