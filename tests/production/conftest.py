"""The production path, through nginx: tests that speak HTTPS to a running topology.

They run only when HOCSO_PRODUCTION_URL names the app origin of a running topology
(`deploy/run-local.sh start`; .ci/run starts it and sets these variables), and are marked
`production`, which `make test` leaves out (the topology is not up then):

    HOCSO_PRODUCTION_URL=https://hocso.test:8443
    HOCSO_PRODUCTION_CONTENT_URL=https://content.hocso.test:8443
    HOCSO_PRODUCTION_ADDRESS=127.0.0.1   (both host names resolve here, in Chromium only)
    HOCSO_RUN_DIR=var/run-local          (the script's folder: env file, logs)

With CI=true a missing variable fails the test (tests/conftest.py::require). Chromium maps
the two host names to the address with --host-resolver-rules (no /etc/hosts edit) and
accepts the run's self-signed certificate. Every response is watched: any 5xx fails the
test that met it, and so does any Content-Security-Policy violation.
"""

import http.client
import os
import ssl
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import CHROMIUM, PHONE, ROOT, require, watch_csp

APP_URL = os.environ.get("HOCSO_PRODUCTION_URL", "").rstrip("/")
CONTENT_URL = os.environ.get("HOCSO_PRODUCTION_CONTENT_URL", "").rstrip("/")
ADDRESS = os.environ.get("HOCSO_PRODUCTION_ADDRESS", "127.0.0.1")
RUN_DIR = Path(os.environ.get("HOCSO_RUN_DIR", str(ROOT / "var" / "run-local")))
SCREENSHOTS = os.environ.get("HOCSO_SCREENSHOTS", "")  # a folder: each step's phone screenshot
DEMO_PASSWORD = "hocso-demo-2026"  # cms.demo.DEMO_PASSWORD: seed_demo's printed accounts


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.production)


@pytest.fixture(scope="session")
def production():
    require(bool(APP_URL), "HOCSO_PRODUCTION_URL is not set: no production topology to test")
    require(bool(CONTENT_URL), "HOCSO_PRODUCTION_CONTENT_URL is not set")
    return {"app": APP_URL, "content": CONTENT_URL, "run_dir": RUN_DIR}


@pytest.fixture(scope="session")
def production_browser(production):
    """Chromium that resolves the two host names to the topology's address."""
    require(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}")
    playwright_api = pytest.importorskip("playwright.sync_api")
    hosts = {urlsplit(production["app"]).hostname, urlsplit(production["content"]).hostname}
    rules = ",".join(f"MAP {host} {ADDRESS}" for host in sorted(hosts))
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                f"--host-resolver-rules={rules}", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        yield chromium
        chromium.close()


class ServerErrors(list):
    """Responses of 500 and above seen by a page, as 'STATUS URL'."""


@pytest.fixture
def phone(production_browser, request):
    """A fresh phone-sized context through nginx; fails the test on any 5xx response."""
    context = production_browser.new_context(
        locale="vi-VN", ignore_https_errors=True, accept_downloads=True, **PHONE
    )
    errors = ServerErrors()
    csp = watch_csp(context)  # the real CSP, as nginx and gunicorn send it
    context.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status >= 500 else None
        ),
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    page.server_errors = errors
    steps = iter(range(1, 1000))

    def shot(name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(Path(SCREENSHOTS) / f"{request.node.name}-{next(steps):02d}-{name}.png"),
                full_page=False,
            )

    page.shot = shot
    yield page
    context.close()
    assert list(errors) == [], f"server errors through nginx: {list(errors)}"
    assert csp == [], "Content-Security-Policy violations:\n" + "\n".join(csp)


def run_local(*args: str, env: dict | None = None, timeout: int = 600) -> str:
    """deploy/run-local.sh with this run's folder; returns its output, fails on exit != 0."""
    result = subprocess.run(
        [str(ROOT / "deploy" / "run-local.sh"), *args],
        env={**os.environ, "HOCSO_RUN_DIR": str(RUN_DIR), **(env or {})},
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"run-local.sh {' '.join(args)}:\n{output}"
    return output


def fetch(url: str, method: str = "GET") -> http.client.HTTPResponse:
    """One HTTPS request to the topology's address with the URL's Host header, the run's
    certificate trusted (for the headers and statuses a browser does not expose)."""
    parts = urlsplit(url)
    context = ssl.create_default_context(cafile=str(RUN_DIR / "tls" / "cert.pem"))
    context.check_hostname = False  # connected by address; the chain is still verified
    conn = http.client.HTTPSConnection(ADDRESS, parts.port or 443, context=context, timeout=30)
    conn.request(method, parts.path or "/", headers={"Host": parts.netloc})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response
