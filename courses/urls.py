from django.urls import include, path

from courses import views

app_name = "courses"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("cua-toi/", views.my_learning_view, name="my_learning"),
    path("khoa/<int:course_id>/dang-ky/", views.enrol, name="enrol"),
    path("khoa/<int:course_id>/roi-khoa/", views.unenrol, name="unenrol"),
    path("bai/<int:lesson_id>/tien-do/", views.lesson_progress, name="lesson_progress"),
    # Activity wiring (one include line each, added by the quiz and H5P engineers):
    path("bai/<int:lesson_id>/kiem-tra/<str:block_id>/", include("courses.activities.quiz")),
    path("bai/<int:lesson_id>/h5p/<str:block_id>/", include("courses.activities.h5p")),
]
