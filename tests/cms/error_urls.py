"""Test-only URLconf: the site's routes plus /loi/, a view that crashes (not a database error)."""

from django.urls import path

from cms.urls import handler500  # noqa: F401 - the site's 500 handler, looked up here
from cms.urls import urlpatterns as site_urlpatterns


def crash(request):
    raise ValueError("a bug, not a lost database")


urlpatterns = [path("loi/", crash), *site_urlpatterns]
