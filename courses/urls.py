from django.urls import include, path

from courses import views
from courses.activities.registry import activity_urlpatterns

app_name = "courses"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("cua-toi/", views.my_learning_view, name="my_learning"),
    path("khoa/<int:course_id>/dang-ky/", views.enrol, name="enrol"),
    path("khoa/<int:course_id>/roi-khoa/", views.unenrol, name="unenrol"),
    path("bai/<int:lesson_id>/tien-do/", views.lesson_progress, name="lesson_progress"),
    # Learning without a signal (issue 21): service worker, manifest, downloads, sync.
    path("ngoai-tuyen/", include(("courses.offline.urls", "offline"))),
    # Activities: one include per registered kind (courses.activities.registry), e.g.
    # bai/<lesson_id>/kiem-tra/<block_id>/ (quiz), bai/<lesson_id>/h5p/<block_id>/ (H5P).
    *activity_urlpatterns(),
]
