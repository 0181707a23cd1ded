from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("<slug:slug>/", views.quiz_detail, name="quiz"),
    path("<slug:slug>/bat-dau/", views.quiz_start, name="start"),
    path("bai-lam/<int:attempt_id>/", views.attempt_take, name="attempt"),
    path("bai-lam/<int:attempt_id>/luu/", views.attempt_autosave, name="autosave"),
    path("bai-lam/<int:attempt_id>/ket-qua/", views.attempt_result, name="result"),
]
