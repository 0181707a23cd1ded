"""Transferred bytes and query counts of the home page and an infographic page.

Usage: .venv/bin/python bench/media_pages.py
Builds a throw-away SQLite database and media folder, loads the demo (seed_demo), then views
each page twice through Django's test client (the first view makes image renditions and
fills caches) and reports the second view: its queries, its HTML (raw and gzip), and what a
390 px wide phone at device-pixel-ratio 2 downloads to show it: the stylesheets and scripts
(gzip, as a production server sends them), and for each <img> the srcset candidate that
phone picks (the `sizes` rule evaluated at 390 px), plus video posters. Videos themselves are
not counted: the player uses preload="none", so nothing downloads before the viewer taps.
"""

import gzip
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="hocso-bench-media-"))
os.environ.update(
    DJANGO_SETTINGS_MODULE="cms.settings",
    DEBUG="1",
    DATABASE_URL=f"sqlite:///{WORK / 'bench.sqlite3'}",
    MEDIA_ROOT=str(WORK / "media"),
    ALLOWED_HOSTS="testserver,localhost",
)
os.environ.pop("REDIS_URL", None)  # eager tasks: the demo's video renditions are made inline

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PHONE_WIDTH, DPR = 390, 2


def chosen_candidate(tag: str) -> str | None:
    """The URL a 390 px, DPR 2 phone loads for this <img> (src when there is no srcset)."""
    srcset = re.search(r'srcset="([^"]+)"', tag)
    src = re.search(r'\ssrc="([^"]+)"', tag)
    if not srcset:
        return src.group(1) if src else None
    candidates = []
    for part in srcset.group(1).split(","):
        url, width = part.strip().rsplit(" ", 1)
        candidates.append((int(width.rstrip("w")), url))
    candidates.sort()
    slot = PHONE_WIDTH  # default sizes: 100vw
    sizes = re.search(r'sizes="([^"]+)"', tag)
    if sizes:
        for rule in sizes.group(1).split(","):
            rule = rule.strip()
            cond = re.match(r"\(min-width:\s*([\d.]+)(rem|px)\)\s+(.+)", rule)
            if cond:
                minimum = float(cond.group(1)) * (16 if cond.group(2) == "rem" else 1)
                if minimum > PHONE_WIDTH:
                    continue
                rule = cond.group(3)
            value = re.match(r"([\d.]+)(vw|rem|px)", rule)
            factor = {"vw": PHONE_WIDTH / 100, "rem": 16, "px": 1}[value.group(2)]
            slot = float(value.group(1)) * factor
            break
    needed = slot * DPR
    for width, url in candidates:
        if width >= needed:
            return url
    return candidates[-1][1]


def asset_bytes(url: str) -> tuple[int, str]:
    if url.startswith("/static/"):
        path = finders.find(url.removeprefix("/static/"))
        data = Path(path).read_bytes()
        return len(gzip.compress(data)), "static (gzip)"
    name = url.removeprefix("/media/")
    with default_storage.open(name, "rb") as fh:
        return len(fh.read()), "media"


def measure(client: Client, label: str, url: str) -> dict:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    html = response.content
    text = html.decode()
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)
    assets += re.findall(r'<script src="([^"]+)"', text)
    images = [chosen_candidate(tag) for tag in re.findall(r"<img [^>]+>", text)]
    images += re.findall(r'poster="([^"]+)"', text)
    static_total = sum(asset_bytes(a)[0] for a in dict.fromkeys(assets))
    image_total = sum(asset_bytes(i)[0] for i in dict.fromkeys(filter(None, images)))
    html_gzip = len(gzip.compress(html))
    return {
        "page": label, "url": url, "queries": len(ctx.captured_queries),
        "ms": elapsed * 1000, "html": len(html), "html_gzip": html_gzip,
        "css_js_gzip": static_total, "images": image_total, "image_count": len(set(images)),
        "total": html_gzip + static_total + image_total,
    }  # fmt: skip


def main():
    call_command("migrate", verbosity=0, interactive=False)
    try:
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        seeded = "seed_demo (all apps)"
    except Exception as exc:  # another app's loader may be unfinished: measure ours alone
        print(f"seed_demo failed ({exc!r}); loading cms.demo only")
        from cms import demo

        demo.load(sys.stdout)
        seeded = "cms.demo only"
    from cms.models import InfographicPage

    infographic = InfographicPage.objects.live().order_by("pk").first()
    client = Client()
    rows = [measure(client, "home page", "/"),
            measure(client, "infographic page", infographic.url)]  # fmt: skip
    print(f"HọcSố media pages ({seeded}; phone {PHONE_WIDTH} px at DPR {DPR}; anonymous)")
    print(f"{'page':<18}{'queries':>8}{'HTML':>9}{'HTML gz':>9}{'CSS+JS gz':>11}"
          f"{'images':>9}{'#img':>6}{'total':>9}{'render ms':>11}")  # fmt: skip
    for r in rows:
        print(f"{r['page']:<18}{r['queries']:>8}{r['html']:>9}{r['html_gzip']:>9}"
              f"{r['css_js_gzip']:>11}{r['images']:>9}{r['image_count']:>6}{r['total']:>9}"
              f"{r['ms']:>11.1f}")  # fmt: skip
    print("bytes; total = HTML gzip + CSS/JS gzip + the images the phone picks (+ posters)")


if __name__ == "__main__":
    main()
