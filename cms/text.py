"""Vietnamese text helpers and the one HTML sanitiser.

Use `nfc` before storing or comparing any Vietnamese text, `fold` to build search keys
(diacritics removed and đ/Đ mapped to d/D, which Unicode decomposition alone does not do),
`person_sort_key` to sort people the Vietnamese way, and `sanitize_html` for every piece of
user- or package-made HTML that reaches a page.
"""

import unicodedata

import nh3

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def fold(text: str) -> str:
    """Search key: lower case, no diacritics, đ→d, runs of white space collapsed."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def person_sort_key(full_name: str) -> tuple[str, str, str]:
    """Sort by given name (last word), then middle names, then family name (first word)."""
    parts = fold(full_name).split()
    if not parts:
        return ("", "", "")
    if len(parts) == 1:
        return (parts[0], "", "")
    return (parts[-1], " ".join(parts[1:-1]), parts[0])


ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "u", "ul", "span", "figure", "figcaption", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "span": {"lang"},
    "p": {"lang"},
}


def sanitize_html(html: str) -> str:
    """The project's only HTML sanitiser (nh3/ammonia): drops scripts, on* handlers and
    javascript: URLs; links get rel="noopener noreferrer". Output is NFC."""
    return nh3.clean(
        nfc(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
