"""The text formats of a question (Moodle's four: `[html]`, `[moodle]`, `[plain]`,
`[markdown]`), and the one way each reaches a page.

A question has one format (`Question.text_format`), used for its text, its answers and its
feedback alike. A file may mark a part with a format of its own (GIFT `~[plain]blue`); the
importer then converts every part to HTML (`unify`), so what a learner sees is what the
author wrote and the export says `[html]`. Texts that are compared, not shown (short
answers, numbers, a matching question's right-hand items), are always plain.

    render(text, fmt) -> SafeString   the part as HTML: html and moodle sanitised by
                                      cms.text.sanitize_html, markdown converted then
                                      sanitised, plain escaped (line breaks kept)
    to_plain(text, fmt) -> str        the part as plain text (a <select>'s option, a review)
    split_marker(text) -> (fmt, rest) a leading `[html]`... marker taken off
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from django.db import models
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt

from cms.text import nfc, sanitize_html

__all__ = ["TextFormat", "render", "split_marker", "to_html", "to_plain", "unify"]


class TextFormat(models.TextChoices):
    PLAIN = "plain", _("Plain text")
    MOODLE = "moodle", _("Moodle auto-format")
    HTML = "html", "HTML"
    MARKDOWN = "markdown", "Markdown"


_MARKER = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", flags=re.IGNORECASE)
# CommonMark without raw HTML: a markdown part's HTML is what markdown makes of it.
_markdown = MarkdownIt("commonmark", {"html": False})


def split_marker(text: str) -> tuple[str | None, str]:
    """(the format a leading `[html]`/`[moodle]`/`[plain]`/`[markdown]` names, the text
    after it), or (None, text)."""
    found = _MARKER.match(text)
    if not found:
        return None, text
    return found.group(1).lower(), text[found.end() :].lstrip()


def to_html(text: str, fmt: str) -> str:
    """The part as (unsanitised) HTML: what `render` sanitises and `unify` stores."""
    if fmt == TextFormat.HTML:
        return text
    if fmt == TextFormat.MARKDOWN:
        return _markdown.render(text).strip()
    if fmt == TextFormat.MOODLE:
        # Moodle's auto-format: HTML allowed, line breaks kept.
        return text.replace("\n", "<br>") if "\n" in text else text
    return escape(text).replace("\n", "<br>")


@lru_cache(maxsize=4096)
def render(text: str, fmt: str) -> SafeString:
    """The part as safe HTML for a page (the only way a question's text reaches one).
    Remembered per process for the same text and format (a pure function: the attempt page
    shows the same questions to every learner without sanitising them again)."""
    if not fmt or fmt == TextFormat.PLAIN:
        return linebreaks_plain(text)
    return mark_safe(sanitize_html(to_html(text, fmt)))  # noqa: S308 - sanitised just now


def linebreaks_plain(text: str) -> SafeString:
    # One paragraph: <br> per line break (`linebreaks` would add <p> around each block).
    return mark_safe(escape(nfc(text)).replace("\n", "<br>"))  # noqa: S308 - escaped


def to_plain(text: str, fmt: str) -> str:
    """The part as plain text: tags dropped, entities decoded."""
    if not fmt or fmt == TextFormat.PLAIN:
        return text
    cleaned = sanitize_html(to_html(text, fmt).replace("<br>", "\n"))
    without_tags = re.sub(r"<[^>]+>", "", cleaned)
    return html.unescape(without_tags).strip()


def unify(parts: list[tuple[str | None, str]], default: str) -> tuple[str, list[str]]:
    """One format for parts each marked with a format or not (None: `default`). All alike:
    that format and the texts as they are; mixed: HTML, and each text converted to it."""
    formats = {fmt or default for fmt, _text in parts}
    if len(formats) <= 1:
        return (formats.pop() if formats else default), [text for _fmt, text in parts]
    return TextFormat.HTML, [to_html(text, fmt or default) for fmt, text in parts]
