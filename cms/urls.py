from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views

# A lost database connection (a PostgreSQL restart) is a 503 "maintenance" page, not a 500.
handler500 = "cms.resilience.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The language switch without CSRF (public pages carry no token: cms.views).
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tai-khoan/ho-so/", include("accounts.urls_profile")),
    path("tai-khoan/", include("allauth.urls")),
    path("quyen-rieng-tu/", views.privacy_notice, name="privacy_notice"),
    # Each app owns its routes; Wagtail pages (catalogue, lessons, news...) come last.
    path("hoc/", include("courses.urls")),
    path("chung-chi/", include("courses.certificates.urls")),
    path("h5p/", include("assessments.h5p.urls")),
    path("quan-ly/", include("campaigns.urls")),
    path("thong-bao/", include("campaigns.urls_notices")),
    path("so-lieu/", include("campaigns.urls_public")),
    path("", include("cms.site_urls")),
    # One log-in path (allauth: rate limits, MFA): the Wagtail admin's own log-in and
    # password reset, and the retired Django admin's log-in, hand over to allauth.
    path("", include("accounts.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
