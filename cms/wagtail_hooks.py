"""Admin for the media library: video snippets (upload checked by ffmpeg before storing,
renditions queued after save) and news categories."""

from django.db import models
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms.models import register_form_field_override
from wagtail.admin.panels import ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.forms import FoldingSlugField, VideoForm, VietnameseSlugInput
from cms.models import NewsCategory, Video
from cms.services import video_renditions_request

# Every slug of the admin (pages' and snippets') is ASCII, folded the Vietnamese way in
# the browser (auto-fill from the title) and on the server (a typed "an-toàn").
register_form_field_override(
    models.SlugField, override={"widget": VietnameseSlugInput, "form_class": FoldingSlugField}
)


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


@hooks.register("insert_editor_js")
def chooser_focus_js():
    """After a chooser pop-up closes, the keyboard focus lands on the next field to fill in
    (an image block's alt text), never inside the closing pop-up (cms/admin/chooser_focus.js)."""
    return format_html('<script src="{}"></script>', static("cms/admin/chooser_focus.js"))
