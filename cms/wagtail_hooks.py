from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import Video


class VideoViewSet(SnippetViewSet):
    model = Video
    icon = "media"
    menu_label = "Video"
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["title", "duration_seconds", "created_at"]
    search_fields = ["title"]


register_snippet(VideoViewSet)
