"""Our apps' words win over the Wagtail admin catalogue for the messages both have
("Show" is "Xem" on a report page, not the admin's "Hiện"): LOCALE_PATHS order."""

import glob

from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

PO = ("vi", "LC_MESSAGES", "django.po")


def _read(path):
    with open(path, "rb") as handle:
        return list(read_po(handle))


def test_our_apps_translations_win_over_wagtails_for_shared_messages():
    base = settings.BASE_DIR
    wagtail = {m.id for m in _read(base.joinpath("locale_thirdparty", "wagtail", *PO)) if m.id}
    paths = [str(base.joinpath("locale", *PO))]
    paths += glob.glob(str(base.joinpath("*", "locale", *PO)))
    paths += glob.glob(str(base.joinpath("*", "*", "locale", *PO)))
    ours: dict[str, set[str]] = {}
    for path in paths:
        for message in _read(path):
            shared = isinstance(message.id, str) and message.id in wagtail
            if shared and message.string and not message.context:
                ours.setdefault(message.id, set()).add(message.string)
    assert len(ours) > 10
    with translation.override("vi"):
        for msgid, strings in ours.items():
            served = translation.gettext(msgid)
            assert served in strings, f"{msgid!r} is served as {served!r}, ours: {strings}"
        assert translation.gettext("Show") == "Xem"
