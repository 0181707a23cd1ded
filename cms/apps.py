from django.apps import AppConfig
from wagtail.contrib.frontend_cache.apps import WagtailFrontendCacheAppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site"
    default = True  # the app's own config among the two classes here (and Wagtail's)


class FrontendCacheConfig(WagtailFrontendCacheAppConfig):
    """Wagtail's frontend cache (publish and unpublish refresh the page) plus view
    restrictions: a page made private (or public) is refreshed with its subtree at once.
    Installed only when PAGE_CACHE_URL is set (cms.settings; cms.frontend_cache)."""

    def ready(self):
        super().ready()
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import PageViewRestriction

        from cms import frontend_cache  # registers cms.page_cache_refresh

        post_save.connect(frontend_cache.restriction_changed, sender=PageViewRestriction)
        post_delete.connect(frontend_cache.restriction_changed, sender=PageViewRestriction)
