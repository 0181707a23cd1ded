"""Admin for the media library: video snippets (upload checked by ffmpeg before storing,
renditions queued after save) and news categories."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.forms import VideoForm
from cms.models import NewsCategory, Video
from cms.services import video_renditions_request


class VideoViewSet(SnippetViewSet):
    model = Video
    icon = "media"
    menu_label = _("Videos")
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["title", "duration_seconds", "rendition_status", "created_at"]
    search_fields = ["title"]
    edit_handler = ObjectList(Video.panels, base_form_class=VideoForm)


class NewsCategoryViewSet(SnippetViewSet):
    model = NewsCategory
    icon = "tag"
    menu_label = _("News categories")
    list_display = ["name", "slug"]


register_snippet(VideoViewSet)
register_snippet(NewsCategoryViewSet)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def queue_video_renditions(request, instance):
    """A new or replaced original gets its renditions made (after commit, queue "media")."""
    if isinstance(instance, Video):
        video_renditions_request(video=instance)
