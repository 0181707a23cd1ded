"""Every literal of a {% trans %} / {% translate %} tag in our templates is served in
Vietnamese, as the template renders it (a "%" is looked up doubled: the dashboard's
"Target achieved (%)" was English on the Vietnamese page while gettext() of the same
text was Vietnamese)."""

import re

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

TAG = re.compile(
    r"""\{%\s*(?:trans|translate)\s+(["'])(.+?)\1(?:\s+context\s+(["'])(.+?)\3)?\s*%\}"""
)
# Brand names and words that are the same in both languages.
SAME = {"HọcSố", "OK", "Email", "PDF", "CSV", "XLSX", "ID", "H5P", "SCORM", "OTP", "Zalo",
        "VNeID", "QR"}  # fmt: skip


def _templates():
    base = settings.BASE_DIR
    for path in sorted(base.glob("*/templates/**/*.html")) + sorted(
        base.glob("*/*/templates/**/*.html")
    ):
        if ".venv" not in path.parts and "node_modules" not in path.parts:
            yield path


def test_every_trans_literal_in_our_templates_is_served_in_vietnamese():
    untranslated = []
    seen = set()
    with translation.override("vi"):
        for path in _templates():
            for m in TAG.finditer(path.read_text(encoding="utf-8")):
                text, context = m.group(2), m.group(4)
                if (text, context) in seen or text in SAME or not re.search(r"[A-Za-z]", text):
                    continue
                seen.add((text, context))
                tag = m.group(0)
                served = Template("{% load i18n %}" + tag).render(Context())
                if served == text:
                    untranslated.append(f"{path.relative_to(settings.BASE_DIR)}: {tag}")
    assert len(seen) > 100
    assert untranslated == []
