"""StreamField blocks of the cms floor, usable by any app above it.

- `SafeRichTextBlock`: Wagtail rich text, rendered through cms.text.sanitize_html (the one
  sanitiser), so pasted HTML never brings scripts or on* handlers to a page.
- `FigureBlock`: an image with required alt text, an optional caption, WebP srcset and a
  link to the original.
- `VideoBlock`: chooses a cms.Video from the library (the same one the video pages show) and
  renders it with the one player include, cms/includes/video_player.html.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import expand_db_html
from wagtail.snippets.blocks import SnippetChooserBlock

from cms.text import sanitize_html

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr"]


class SafeRichTextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    def render_basic(self, value, context=None):
        source = value.source if hasattr(value, "source") else str(value)
        return mark_safe(sanitize_html(expand_db_html(source)))  # noqa: S308 - sanitised

    class Meta:
        icon = "pilcrow"
        label = _("Paragraph")


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alt text"),
        max_length=1000,
        help_text=_("Say what the image shows and teaches, for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=255)

    def clean(self, value):
        value = super().clean(value)
        if not (value.get("alt_text") or "").strip():
            raise StructBlockValidationError(
                {"alt_text": ValidationError(_("Alt text is required for every image."))}
            )
        return value

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/figure.html"


class VideoBlock(blocks.StructBlock):
    video = SnippetChooserBlock("cms.Video", label=_("video"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=255)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "cms/blocks/video.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[("tip", _("Tip")), ("warning", _("Warning"))],
        default="tip",
        widget=forms.RadioSelect,
    )
    text = blocks.TextBlock(label=_("text"))

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "cms/blocks/callout.html"


class NewsBodyBlock(blocks.StreamBlock):
    paragraph = SafeRichTextBlock()
    image = FigureBlock()
    video = VideoBlock()
    callout = CalloutBlock()
