"""Keep the Vietnamese catalogue of the Wagtail admin in step with the installed Wagtail.

    .venv/bin/python locale_thirdparty/tools/merge_wagtail.py          # merge, report
    .venv/bin/python locale_thirdparty/tools/merge_wagtail.py --check  # exit 1 if untranslated

Reads the English catalogues (django.po and djangojs.po) of the Wagtail apps in
INSTALLED_APPS (and taggit, whose tag field Wagtail shows), plus the messages Django's own
Vietnamese lacks (timesince, form errors: GAPS), and rewrites
locale_thirdparty/wagtail/vi/LC_MESSAGES/{django,djangojs}.po with every msgid, keeping
the translations already there. New msgids come out with an empty msgstr and are listed;
translate them, then `make translations`. Msgids Wagtail dropped are dropped.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

STAMP = datetime(2026, 12, 5, tzinfo=UTC)  # fixed: reruns give no header churn
TARGET = Path(__file__).resolve().parents[1] / "wagtail" / "vi" / "LC_MESSAGES"

# (label, package): the apps whose screens editors, moderators and admins see.
SOURCES = [
    ("admin", "wagtail.admin"),
    ("core", "wagtail"),
    ("snippets", "wagtail.snippets"),
    ("images", "wagtail.images"),
    ("documents", "wagtail.documents"),
    ("users", "wagtail.users"),
    ("search", "wagtail.search"),
    ("embeds", "wagtail.embeds"),
    ("sites", "wagtail.sites"),
    ("forms", "wagtail.contrib.forms"),
    ("redirects", "wagtail.contrib.redirects"),
    ("settings", "wagtail.contrib.settings"),
    ("taggit", "taggit"),
]

# Django's own Vietnamese lags behind Django: "0 minutes ago" in every admin listing, form
# errors. From these only the messages Django's vi catalogue lacks are taken (its
# translations stay in charge of the rest): (label, package, locale folder in the package).
GAPS = [
    ("django", "django", "conf/locale"),
    ("auth", "django.contrib.auth", "locale"),
    ("humanize", "django.contrib.humanize", "locale"),
    ("contenttypes", "django.contrib.contenttypes", "locale"),
]

GLOSSARY = """\
Vietnamese translation of the Wagtail admin for HọcSố (editors, moderators, admins).
Generated and kept in step by locale_thirdparty/tools/merge_wagtail.py.
Overrides Wagtail's own vi catalogue (LOCALE_PATHS comes first).

Glossary (one word each, used everywhere):
  page = trang; site = trang web; snippet = mục dùng chung; draft = bản nháp;
  publish = xuất bản; unpublish = gỡ xuất bản; live = đang xuất bản;
  revision/version = phiên bản; workflow = quy trình duyệt; task = bước (duyệt);
  moderator/reviewer = người duyệt; submit for moderation = gửi duyệt;
  in moderation = đang chờ duyệt; request changes = yêu cầu chỉnh sửa;
  approve = phê duyệt; reject = từ chối; collection = bộ sưu tập; image = ảnh;
  document = tài liệu; explorer = duyệt trang; dashboard = bảng điều khiển;
  lock = khóa; privacy = quyền xem; view restriction = giới hạn quyền xem;
  choose = chọn; chooser = hộp chọn; alias = bí danh; slug = slug;
  schedule = lịch / lên lịch; go live = bắt đầu hiển thị; expiry = hết hạn;
  comment = bình luận; resolve = xử lý (bình luận); tag = thẻ; embed = nội dung nhúng;
  redirect = chuyển hướng; block = khối; alt text = văn bản thay thế;
  focal point = điểm trọng tâm; usage = nơi sử dụng; bulk actions = thao tác hàng loạt.
Vietnamese has one plural form: each msgid_plural has a single msgstr[0].
"""


def _package_dir(package: str) -> Path:
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{package} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _read(path: Path) -> Catalog | None:
    if not path.exists():
        return None
    with path.open("rb") as f:
        return read_po(f)


def _string(message) -> str:
    value = message.string
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return value or ""


def _keep_edges(msgid: str, msgstr: str) -> str:
    """Leading/trailing spaces of the msgid are part of the string's layout."""
    if not msgstr:
        return msgstr
    msgstr = unicodedata.normalize("NFC", msgstr.strip())
    lead = msgid[: len(msgid) - len(msgid.lstrip())]
    trail = msgid[len(msgid.rstrip()) :]
    return lead + msgstr + trail


def build(domain: str, translations: dict | None = None) -> tuple[Catalog, dict]:
    """The merged catalogue for one domain and {app: (total, translated)}."""
    current = _read(TARGET / f"{domain}.po")
    catalog = Catalog(
        locale="vi",
        domain=domain,
        header_comment="\n".join("# " + line if line else "#" for line in GLOSSARY.splitlines()),
        project="HọcSố Wagtail admin",
        version="wagtail",
        last_translator="HọcSố",
        language_team="Vietnamese",
        fuzzy=False,
        creation_date=STAMP,
        revision_date=STAMP,
    )
    seen: dict = {}
    stats: dict = {}
    sources = [(label, package, "locale", False) for label, package in SOURCES]
    sources += [(label, package, folder, True) for label, package, folder in GAPS]
    for label, package, folder, gaps_only in sources:
        locale_dir = _package_dir(package) / folder
        english = _read(locale_dir / "en" / "LC_MESSAGES" / f"{domain}.po")
        if english is None:
            continue
        upstream = _read(locale_dir / "vi" / "LC_MESSAGES" / f"{domain}.po") if gaps_only else None
        total = done = 0
        for message in english:
            if not message.id:
                continue
            if upstream is not None:
                theirs = upstream.get(message.id, message.context)
                if theirs is not None and not theirs.fuzzy and _string(theirs):
                    continue
            key = (message.context, message.id if isinstance(message.id, str) else message.id[0])
            total += 1
            if key in seen:
                existing = seen[key]
                existing.auto_comments[0] += f", {label}"
                done += bool(_string(existing))
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            text = ""
            if translations and key in translations:
                text = translations[key]
            elif current is not None:
                old = current.get(message.id, message.context)
                if old is not None and not old.fuzzy:
                    text = _string(old)
            text = _keep_edges(msgid, text)
            # Vietnamese has one plural form: msgstr[0] follows msgid_plural.
            string = (text,) if message.pluralizable else text
            added = catalog.add(
                message.id,
                string,
                context=message.context,
                flags=set(message.flags) - {"fuzzy"},
                auto_comments=[f"apps: {label}"],
            )
            seen[key] = added
            done += bool(text)
        stats[label] = (total, done)
    return catalog, stats


def write(domain: str, catalog: Catalog) -> Path:
    TARGET.mkdir(parents=True, exist_ok=True)
    path = TARGET / f"{domain}.po"
    with path.open("wb") as f:
        write_po(f, catalog, width=0, omit_header=False, sort_output=False, include_previous=False)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a msgid is untranslated")
    args = parser.parse_args(argv)
    missing = 0
    for domain in ("django", "djangojs"):
        catalog, stats = build(domain)
        write(domain, catalog)
        for label, (total, done) in stats.items():
            print(f"{domain:8} {label:10} {done:5}/{total:<5} translated")
            missing += total - done
        for message in catalog:
            if message.id and not _string(message):
                print(f"  untranslated: {message.id!r}")
    return 1 if (args.check and missing) else 0


if __name__ == "__main__":
    sys.exit(main())
