"""Vietnamese text helpers and the one HTML sanitiser.

Use `nfc` before storing or comparing any Vietnamese text, `fold` to build search keys
(diacritics removed and đ/Đ mapped to d/D, which Unicode decomposition alone does not do),
`person_sort_key` (built on `vietnamese_collation_key`) to sort people the Vietnamese way,
`ascii_slug` for every slug (URLs stay ASCII: "Zalo an toàn cho người dân" ->
"zalo-an-toan-cho-nguoi-dan"), and `sanitize_html` for every piece of user- or
package-made HTML that reaches a page.
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


def ascii_slug(text: str, max_length: int = 255) -> str:
    """An ASCII slug folded the Vietnamese way (đ→d, tones and marks dropped), as Django's
    `slugify` alone does not do (it drops "đ" and keeps nothing of "ư" in "người")."""
    from django.utils.text import slugify

    return slugify(fold(text))[:max_length].strip("-")


# The same folding for the admin's slug auto-fill in the browser: Wagtail's slug
# controller (w-slug) applies these [pattern, replacement] formatters before its own
# transliteration, which has no Vietnamese map (it turns "đ" into "dj" and drops "ư").
SLUG_JS_FORMATTERS = [
    ("[àáạảãâầấậẩẫăằắặẳẵ]", "a"),
    ("[ÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴ]", "a"),
    ("[èéẹẻẽêềếệểễ]", "e"),
    ("[ÈÉẸẺẼÊỀẾỆỂỄ]", "e"),
    ("[ìíịỉĩ]", "i"),
    ("[ÌÍỊỈĨ]", "i"),
    ("[òóọỏõôồốộổỗơờớợởỡ]", "o"),
    ("[ÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠ]", "o"),
    ("[ùúụủũưừứựửữ]", "u"),
    ("[ÙÚỤỦŨƯỪỨỰỬỮ]", "u"),
    ("[ỳýỵỷỹ]", "y"),
    ("[ỲÝỴỶỸ]", "y"),
    ("[đĐ]", "d"),
]


# Vietnamese alphabetical order: ă and â after a, đ after d, ê after e, ô and ơ after o,
# ư after u (the letters with a breve, circumflex or horn are letters of their own); tones
# only break ties, in dictionary order: none, huyền, hỏi, ngã, sắc, nặng.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER = {letter: i for i, letter in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_collation_key(text: str) -> tuple[tuple, tuple]:
    """Sort key for Vietnamese words: letters first (in the Vietnamese alphabet), tones
    second. Characters outside the alphabet (digits, other scripts) sort after it by code."""
    letters, tones = [], []
    for char in nfc(text).casefold():
        decomposed = unicodedata.normalize("NFD", char)
        base = "".join(c for c in decomposed if c not in _TONES)
        base = unicodedata.normalize("NFC", base)
        letters.append(_LETTER.get(base, len(_ALPHABET) + ord(base[0]) if base else 0))
        tones.append(next((_TONES[c] for c in decomposed if c in _TONES), 0))
    return tuple(letters), tuple(tones)


def person_sort_key(full_name: str) -> tuple:
    """Sort by given name (last word), then middle names, then family name (first word),
    each in Vietnamese alphabetical order (`vietnamese_collation_key`)."""
    parts = nfc(full_name).split()
    if not parts:
        given, middle, family = "", "", ""
    elif len(parts) == 1:
        given, middle, family = parts[0], "", ""
    else:
        given, middle, family = parts[-1], " ".join(parts[1:-1]), parts[0]
    return tuple(vietnamese_collation_key(p) for p in (given, middle, family))


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
