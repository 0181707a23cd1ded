"""Lesson body blocks.

Every block renders through its own template under `courses/templates/courses/blocks/`.
The lesson template renders the body in a loop with `{% include_block block with
block_id=block.id lesson_state=state %}`, so each block template sees `value`, `page`,
`request`, `user`, `block_id` (the StreamField child's uuid: it identifies an activity or a
video inside a lesson) and `lesson_state` (see courses.selectors.lesson_state).

Activity blocks ("quiz", "h5p") are a contract with the assessments floor: their templates
are owned by the quiz and H5P engineers; the courses app only knows the block id, the
`required` flag and, for H5P, the pass mark.
"""

from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import expand_db_html
from wagtail.snippets.blocks import SnippetChooserBlock

from cms.text import sanitize_html

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr", "document-link"]


class SanitisedRichTextBlock(blocks.RichTextBlock):
    """Rich text that always passes through cms.text.sanitize_html on the way out, so a
    script, an on* attribute or a javascript: link stored by any path never reaches a page."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    def render_basic(self, value, context=None):
        source = value.source if hasattr(value, "source") else str(value or "")
        return mark_safe(  # noqa: S308 - the output of the project's one sanitiser
            '<div class="rich-text">' + sanitize_html(expand_db_html(source)) + "</div>"
        )

    class Meta:
        icon = "pilcrow"
        label = _("Text")


class ImageBlock(blocks.StructBlock):
    """An image or infographic: alt text is required (accessibility), the original can be
    downloaded (infographics are shared and printed)."""

    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        max_length=300,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=300)
    allow_download = blocks.BooleanBlock(
        label=_("offer a download of the original"), required=False, default=True
    )

    class Meta:
        icon = "image"
        label = _("Image or infographic")
        template = "courses/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    """A video from the library (cms.Video: captions, duration; watch progress counts) or an
    embed URL (shown as a link; its progress cannot be checked, so it never completes a
    lesson)."""

    video = SnippetChooserBlock("cms.Video", label=_("video"), required=False)
    embed_url = blocks.URLBlock(label=_("or an external video address"), required=False)
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=300)

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("video")) == bool(value.get("embed_url")):
            message = _("Choose a video from the library or give an address, not both.")
            raise StructBlockValidationError(block_errors={"video": ValidationError(message)})
        return value

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document (PDF)"))
    title = blocks.CharBlock(label=_("link text"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "courses/blocks/document.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[("tip", _("Tip")), ("warning", _("Warning")), ("remember", _("Remember"))],
        default="tip",
    )
    title = blocks.CharBlock(label=_("title"), required=False, max_length=200)
    text = SanitisedRichTextBlock(label=_("text"), features=["bold", "italic", "link", "ul"])

    class Meta:
        icon = "help"
        label = _("Callout")
        template = "courses/blocks/callout.html"


class QuizActivityBlock(blocks.StructBlock):
    """A quiz from the assessments floor. Passed or not is reported back through
    courses.services.activity_result_record(block_id=...)."""

    quiz = SnippetChooserBlock("assessments.Quiz", label=_("quiz"))
    required = blocks.BooleanBlock(
        label=_("required to complete the lesson"), required=False, default=True
    )

    class Meta:
        icon = "tick-inverse"
        label = _("Quiz")
        template = "courses/blocks/activity_quiz.html"


class H5PActivityBlock(blocks.StructBlock):
    """An H5P package from the assessments floor, passed at `pass_percent`."""

    package = SnippetChooserBlock("h5p.H5PPackage", label=_("H5P package"))
    pass_percent = blocks.IntegerBlock(
        label=_("pass mark (%)"), min_value=0, max_value=100, default=60
    )
    required = blocks.BooleanBlock(
        label=_("required to complete the lesson"), required=False, default=True
    )

    class Meta:
        icon = "code"
        label = _("H5P activity")
        template = "courses/blocks/activity_h5p.html"


ACTIVITY_BLOCK_TYPES = ("quiz", "h5p")


class LessonBodyBlock(blocks.StreamBlock):
    text = SanitisedRichTextBlock()
    image = ImageBlock()
    video = VideoBlock()
    document = DocumentBlock()
    callout = CalloutBlock()
    quiz = QuizActivityBlock()
    h5p = H5PActivityBlock()
