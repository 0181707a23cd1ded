"""StreamField blocks of the cms floor, usable by any app above it.

- `SafeRichTextBlock`: Wagtail rich text, rendered through cms.text.sanitize_html (the one
  sanitiser), so pasted HTML never brings scripts or on* handlers to a page.
- `FigureBlock`: an image with required alt text, an optional caption, WebP srcset and a
  link to the original.
- `VideoBlock`: chooses a cms.Video from the library (the same one the video pages show) and
  renders it with the one player include, cms/includes/video_player.html.
- `CalloutBlock`: a tip or a warning.

Higher apps extend these (subclass, add or override a child, a template) and never copy
them: courses.blocks does for lessons. The limits are the same everywhere:
- alt text: at most ALT_TEXT_MAX_LENGTH (1000) characters, required when the page is
  published (a draft may leave it empty: Wagtail defers required fields on drafts).
  1000, not 300: an infographic's alt text carries the text it shows (the same limit as
  cms.InfographicImage.alt_text), the lesson image block shows infographics too, and every
  stored alt text fits (lessons allowed 300, news 1000), so nothing stored is refused.
- caption: at most CAPTION_MAX_LENGTH (300) characters (lessons allowed 300, news 255).
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
ALT_TEXT_MAX_LENGTH = 1000
CAPTION_MAX_LENGTH = 300


class SafeRichTextBlock(blocks.RichTextBlock):
    """Rich text that always passes through cms.text.sanitize_html on the way out, so a
    script, an on* attribute or a javascript: link stored by any path never reaches a page.
    Subclasses may set `default_features` and `wrapper_class` (a <div> around the text)."""

    default_features = RICH_TEXT_FEATURES
    wrapper_class = ""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", self.default_features)
        super().__init__(**kwargs)

    def render_basic(self, value, context=None):
        source = value.source if hasattr(value, "source") else str(value or "")
        html = sanitize_html(expand_db_html(source))
        if self.wrapper_class:
            html = f'<div class="{self.wrapper_class}">{html}</div>'
        return mark_safe(html)  # noqa: S308 - the output of the project's one sanitiser

    class Meta:
        icon = "pilcrow"
        label = _("Paragraph")


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alt text"),
        max_length=ALT_TEXT_MAX_LENGTH,
        help_text=_("Say what the image shows and teaches, for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=CAPTION_MAX_LENGTH)

    def clean(self, value):
        value = super().clean(value)
        # Spaces only are no alt text either; checked on publish (a draft may wait).
        if not self.is_deferred_validation and not (value.get("alt_text") or "").strip():
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
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=CAPTION_MAX_LENGTH)

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
