from django.urls import path

from courses.certificates import views

app_name = "certificates"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("<str:code>/", views.verify, name="verify"),
    path("<str:code>/tai-ve/", views.download, name="download"),
]
