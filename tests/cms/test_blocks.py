"""The shared blocks (cms.blocks): lessons extend them, never copy them; one set of limits;
alt text required when the page is published, not when a draft is saved."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from wagtail.blocks.stream_block import StreamBlockValidationError

from cms import blocks as cms_blocks
from cms.blocks import ALT_TEXT_MAX_LENGTH, CAPTION_MAX_LENGTH, NewsBodyBlock
from courses import blocks as lesson_blocks
from courses.blocks import LessonBodyBlock

pytestmark = pytest.mark.django_db


def test_lesson_blocks_extend_the_cms_blocks():
    body = LessonBodyBlock()
    shared = {
        "text": cms_blocks.SafeRichTextBlock,
        "image": cms_blocks.FigureBlock,
        "video": cms_blocks.VideoBlock,
        "callout": cms_blocks.CalloutBlock,
    }
    for name, base in shared.items():
        assert isinstance(body.child_blocks[name], base), name
    # Nothing in courses.blocks redefines a block of the same kind from scratch.
    for name in ("SanitisedRichTextBlock", "ImageBlock", "VideoBlock", "CalloutBlock"):
        assert getattr(lesson_blocks, name).__mro__[1].__module__ == "cms.blocks", name


def test_one_set_of_limits():
    for body, image in ((NewsBodyBlock(), "image"), (LessonBodyBlock(), "image")):
        children = body.child_blocks[image].child_blocks
        assert children["alt_text"].field.max_length == ALT_TEXT_MAX_LENGTH == 1000
        assert children["caption"].field.max_length == CAPTION_MAX_LENGTH == 300
        assert body.child_blocks["video"].child_blocks["caption"].field.max_length == 300


def _body(block, make_image, alt):
    return block.to_python(
        [{"type": "image", "value": {"image": make_image().pk, "alt_text": alt, "caption": ""}}]
    )


@pytest.mark.parametrize("body_block", [NewsBodyBlock, LessonBodyBlock])
def test_alt_text_required_on_publish_not_on_draft(body_block, make_image):
    block = body_block()
    for alt in ("", "   "):
        value = _body(block, make_image, alt)
        block.clean_deferred(value)  # a draft (autosave, "Save draft") keeps what was typed
        with translation.override("vi"), pytest.raises(StreamBlockValidationError):
            block.clean(value)  # publishing refuses it
    ok = _body(block, make_image, "ả" * ALT_TEXT_MAX_LENGTH)  # 300 was the lessons' limit
    assert len(block.clean(ok)[0].value["alt_text"]) == 1000
    with pytest.raises((StreamBlockValidationError, ValidationError)):
        block.clean(_body(block, make_image, "x" * (ALT_TEXT_MAX_LENGTH + 1)))


def test_rich_text_renders_as_before():
    html = "<p>Xin chào<script>alert(1)</script></p>"
    news = NewsBodyBlock().child_blocks["paragraph"]
    lesson = LessonBodyBlock().child_blocks["text"]
    assert str(news.render(news.to_python(html))) == "<p>Xin chào</p>"
    assert str(lesson.render(lesson.to_python(html))) == (
        '<div class="rich-text"><p>Xin chào</p></div>'
    )
    assert "document-link" in lesson.features and "document-link" not in news.features


def test_lesson_forms_keep_their_order():
    body = LessonBodyBlock()
    assert list(body.child_blocks["video"].child_blocks) == ["video", "embed_url", "caption"]
    assert list(body.child_blocks["callout"].child_blocks) == ["kind", "title", "text"]
    assert list(body.child_blocks["image"].child_blocks) == [
        "image", "alt_text", "caption", "allow_download"
    ]  # fmt: skip
