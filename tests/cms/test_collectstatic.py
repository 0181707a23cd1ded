"""The production static build: `collectstatic` into the manifest storage (DEBUG=0) finishes,
and the vendored front-end files are in its manifest under hashed names.

It once stopped with MissingFileError on Chart.js's `sourceMappingURL` (the map was not
copied by `make assets`), and every page was a 500 after it (issue 15)."""

import json
import os
import re
import subprocess
import sys

from tests.conftest import ROOT, require

VENDORED = [
    "vendor/chart.js/chart.umd.min.js",
    "vendor/chart.js/chart.umd.min.js.map",
    "vendor/h5p-standalone/main.bundle.js",
    "vendor/h5p-standalone/frame.bundle.js",
    "vendor/h5p-standalone/styles/h5p.css",
]


def test_collectstatic_with_the_manifest_storage_finds_every_reference(tmp_path):
    require(
        (ROOT / "build" / "static" / "vendor" / "chart.js").is_dir(),
        "build/static is missing: run `make assets`",
    )
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings", "DEBUG": "0",
        "SECRET_KEY": "collectstatic-under-test", "ALLOWED_HOSTS": "hocso.test",
        "STATIC_ROOT": str(tmp_path),
    }  # fmt: skip
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in VENDORED:
        assert name in manifest, name
        assert (tmp_path / manifest[name]).is_file()
    # CSS url()s point at hashed names too (h5p-standalone's own fonts).
    css = (tmp_path / manifest["vendor/h5p-standalone/styles/h5p.css"]).read_text()
    assert re.search(r"url\(['\"]\.\./fonts/inter/[^'\")]+\.[0-9a-f]{12}\.woff2['\"]\)", css)
