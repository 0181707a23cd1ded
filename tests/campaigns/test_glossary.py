"""Issue 22: one Vietnamese word each for registered, assigned, enrolled, completed and
certified (docs/glossary.md), in every catalogue and in what Django really serves (the
catalogues in LOCALE_PATHS, Wagtail's among them, win over the apps')."""

import re
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext, pgettext

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = {
    "Registered": "Đã đăng ký",
    "Assigned": "Được giao",
    "Enrolled": "Đã ghi danh",
    "Completed": "Đã hoàn thành",
    "Certified": "Được cấp chứng nhận",
}
STATES = {"Not started": "Chưa bắt đầu", "In progress": "Đang học",
          "Completed": GLOSSARY["Completed"], "Certified": GLOSSARY["Certified"]}  # fmt: skip
ENTRY = re.compile(
    r'(?:^msgctxt "(?P<ctx>[^"]*)"\n)?^msgid "(?P<id>[^"]*)"\n^msgstr "(?P<str>[^"]*)"', re.M
)


def catalogues():
    for po in ROOT.glob("**/locale*/**/vi/LC_MESSAGES/django.po"):
        if ".venv" not in po.parts and "node_modules" not in po.parts:
            yield po


def test_every_catalogue_uses_the_glossary_words():
    wrong = []
    for po in catalogues():
        for m in ENTRY.finditer(po.read_text(encoding="utf-8")):
            ctx, msgid, msgstr = m["ctx"], m["id"], m["str"]
            expected = GLOSSARY.get(msgid) if ctx is None else None
            if ctx == "learning status":
                expected = STATES.get(msgid)
            if expected and msgstr and msgstr != expected:
                wrong.append(f"{po.relative_to(ROOT)}: {msgid!r} → {msgstr!r}, not {expected!r}")
    assert wrong == []


def test_the_served_translations_are_the_glossary_words():
    with translation.override("vi"):
        for msgid, word in GLOSSARY.items():
            assert gettext(msgid) == word, msgid
        for msgid, word in STATES.items():
            assert pgettext("learning status", msgid) == word, msgid
        assert pgettext("agency", "Name") == "Tên đơn vị"  # the agencies' sort link
        assert gettext("Target achieved (%)") == "Tỷ lệ đạt chỉ tiêu (%)"
