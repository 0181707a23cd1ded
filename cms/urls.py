from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tai-khoan/", include("allauth.urls")),
    path("quyen-rieng-tu/", views.privacy_notice, name="privacy_notice"),
    # Each app owns its routes; Wagtail pages (catalogue, lessons, news...) come last.
    path("hoc/", include("courses.urls")),
    path("chung-chi/", include("courses.certificates.urls")),
    path("kiem-tra/", include("assessments.urls")),
    path("h5p/", include("assessments.h5p.urls")),
    path("quan-ly/", include("campaigns.urls")),
    path("so-lieu/", include("campaigns.urls_public")),
    path("", include("cms.site_urls")),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
