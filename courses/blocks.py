"""Lesson body blocks.

Every block renders through its own template under `courses/templates/courses/blocks/`.
The lesson template renders the body in a loop with `{% include_block block with
block_id=block.id lesson_state=state %}`, so each block template sees `value`, `page`,
`request`, `user`, `block_id` (the StreamField child's uuid: it identifies an activity or a
video inside a lesson) and `lesson_state` (see courses.selectors.lesson_state).

Activity blocks ("quiz", "h5p", "scorm") are a contract with the assessments floor: their
templates are owned by the quiz, H5P and SCORM engineers; the courses app only knows the
block id, the `required` flag and, for H5P, the pass mark (a SCORM package judges its own
success).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from cms import blocks as cms_blocks

RICH_TEXT_FEATURES = [*cms_blocks.RICH_TEXT_FEATURES, "document-link"]


class SanitisedRichTextBlock(cms_blocks.SafeRichTextBlock):
    """The cms rich text (sanitised on the way out), with links to documents, in a
    <div class="rich-text">."""

    default_features = RICH_TEXT_FEATURES
    wrapper_class = "rich-text"

    class Meta:
        label = _("Text")


class ImageBlock(cms_blocks.FigureBlock):
    """An image or infographic (the cms figure: alt text required on publish, the shared
    limits); the original can be downloaded (infographics are shared and printed)."""

    allow_download = blocks.BooleanBlock(
        label=_("offer a download of the original"), required=False, default=True
    )

    class Meta:
        label = _("Image or infographic")
        template = "courses/blocks/image.html"


class VideoBlock(cms_blocks.VideoBlock):
    """A video from the library (cms.Video: captions, duration; watch progress counts) or an
    embed URL (shown as a link; its progress cannot be checked, so it never completes a
    lesson)."""

    video = SnippetChooserBlock("cms.Video", label=_("video"), required=False)
    embed_url = blocks.URLBlock(label=_("or an external video address"), required=False)

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("video")) == bool(value.get("embed_url")):
            message = _("Choose a video from the library or give an address, not both.")
            raise StructBlockValidationError(block_errors={"video": ValidationError(message)})
        return value

    class Meta:
        template = "courses/blocks/video.html"
        form_layout = ["video", "embed_url", "caption"]


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document (PDF)"))
    title = blocks.CharBlock(label=_("link text"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "courses/blocks/document.html"


class CalloutBlock(cms_blocks.CalloutBlock):
    """The cms callout with a "remember" kind, a title and rich text."""

    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[("tip", _("Tip")), ("warning", _("Warning")), ("remember", _("Remember"))],
        default="tip",
    )
    title = blocks.CharBlock(label=_("title"), required=False, max_length=200)
    text = SanitisedRichTextBlock(label=_("text"), features=["bold", "italic", "link", "ul"])

    class Meta:
        icon = "help"
        template = "courses/blocks/callout.html"
        form_layout = ["kind", "title", "text"]


def required_flag_block() -> blocks.BooleanBlock:
    """Every activity block's `required` flag: the lesson is completed only when each
    required activity is passed (courses.services.activity_outcome_record)."""
    return blocks.BooleanBlock(
        label=_("required to complete the lesson"), required=False, default=True
    )


class QuizActivityBlock(blocks.StructBlock):
    """A quiz from the assessments floor. Passed or not is reported back through
    courses.services.activity_result_record(block_id=...)."""

    quiz = SnippetChooserBlock("assessments.Quiz", label=_("quiz"))
    required = required_flag_block()

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
    required = required_flag_block()

    class Meta:
        icon = "code"
        label = _("H5P activity")
        template = "courses/blocks/activity_h5p.html"


class ScormActivityBlock(blocks.StructBlock):
    """A SCORM 1.2 or 2004 package from the assessments floor; the package judges completion
    and success (its mastery score), checked on the server (assessments.scorm.cmi)."""

    package = SnippetChooserBlock("scorm.ScormPackage", label=_("SCORM package"))
    required = required_flag_block()

    class Meta:
        icon = "code"
        label = _("SCORM")
        template = "courses/blocks/activity_scorm.html"


ACTIVITY_BLOCK_TYPES = ("quiz", "h5p", "scorm")


class LessonBodyBlock(blocks.StreamBlock):
    text = SanitisedRichTextBlock()
    image = ImageBlock()
    video = VideoBlock()
    document = DocumentBlock()
    callout = CalloutBlock()
    quiz = QuizActivityBlock()
    h5p = H5PActivityBlock()
    scorm = ScormActivityBlock()
