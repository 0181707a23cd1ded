"""The page cache's app side: nginx keeps anonymous public pages (deploy/nginx), and
publishing in Wagtail refreshes them at once instead of waiting for them to expire.

Debian's nginx has no purge module, so a "purge" is a refresh: the page is fetched again
from nginx with `X-Hocso-Refresh: 1`, which nginx honours only from this machine
(`proxy_cache_bypass`); the fresh response replaces the cached one. Each page is refreshed
with its ancestors by path (a course's index and the home page list it) and in every
language of LANGUAGES (nginx keys the cache on the language it hands to Django).

Used only when PAGE_CACHE_URL is set (cms.settings; deploy/run-local.sh sets it): `make demo`
and `make test` run without nginx and without this app. Its AppConfig is
cms.apps.FrontendCacheConfig (an app's module may not import models before the registry is
ready; this one does, through cms.outbox), whose ready() imports this module, so the
refresh task is registered in every process that can send or run it.
"""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from wagtail.contrib.frontend_cache.backends.base import BaseBackend

from cms.outbox import task_send

logger = logging.getLogger("wagtail.frontendcache")

REFRESH_HEADER = "X-Hocso-Refresh"


def refresh_paths(urls) -> list[str]:
    """Each URL's path and its ancestors' ("/khoa-hoc/a/" -> it, "/khoa-hoc/", "/")."""
    paths = set()
    for url in urls:
        parts = [p for p in (urlsplit(url).path or "/").split("/") if p]
        for depth in range(len(parts) + 1):
            paths.add("/" + "".join(f"{p}/" for p in parts[:depth]))
    return sorted(paths, key=lambda p: (-p.count("/"), p))


class _SniConnection(http.client.HTTPSConnection):
    """HTTPS to nginx's address with the site's name for SNI and the certificate check."""

    def __init__(self, address, port, *, server_name, context, timeout):
        super().__init__(address, port, context=context, timeout=timeout)
        self.server_name = server_name

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.server_name)


class NginxRefreshBackend(BaseBackend):
    """WAGTAILFRONTENDCACHE backend: LOCATION is nginx on this machine (https://127.0.0.1:443);
    HOST the public host name (default: APP_ORIGIN's); CAFILE a certificate to trust besides
    the system's (the self-signed one of deploy/run-local.sh)."""

    def __init__(self, params):
        super().__init__(params)
        self.params = {name: value for name, value in params.items() if name != "BACKEND"}
        location = urlsplit(params["LOCATION"])
        self.scheme = location.scheme
        self.address = location.hostname
        self.port = location.port or (443 if location.scheme == "https" else 80)
        self.host = params.get("HOST") or urlsplit(settings.APP_ORIGIN).netloc
        self.cafile = params.get("CAFILE") or None
        self.timeout = params.get("TIMEOUT", 30)
        self.languages = [code for code, _name in settings.LANGUAGES]

    def purge(self, url) -> None:
        self.purge_batch([url])

    def purge_batch(self, urls) -> None:
        # On a worker, after the publish's transaction commits: the editor does not wait
        # for every page to render in every language, the fetch (through gunicorn, on
        # another connection) sees the new revision, and a broker that is down loses no
        # refresh (cms.outbox keeps it for the sweep). Without a broker it runs after the
        # commit in the request, as before.
        task_send(page_cache_refresh, args=[self.params, refresh_paths(urls)], robust=True)

    def connection(self) -> http.client.HTTPConnection:
        if self.scheme == "http":
            return http.client.HTTPConnection(self.address, self.port, timeout=self.timeout)
        context = ssl.create_default_context(cafile=self.cafile)
        return _SniConnection(
            self.address, self.port, server_name=self.host.split(":")[0], context=context,
            timeout=self.timeout,
        )  # fmt: skip

    def refresh(self, paths) -> list[tuple[str, str, int, str]]:
        """Fetch each path in each language past the cache; returns (path, language, status,
        X-Cache-Status). Failures are logged, never raised: publishing has succeeded."""
        done = []
        try:
            conn = self.connection()
            for path in paths:
                for language in self.languages:
                    conn.request("GET", path, headers={
                        "Host": self.host, REFRESH_HEADER: "1", "Accept-Language": language,
                        "User-Agent": "hocso-page-cache",
                    })  # fmt: skip
                    response = conn.getresponse()
                    response.read()
                    status = response.getheader("X-Cache-Status", "")
                    done.append((path, language, response.status, status))
            conn.close()
        except (OSError, http.client.HTTPException) as exc:
            logger.error("Page cache: could not refresh %s: %s", paths, exc)
        for path, language, code, status in done:
            logger.info("Page cache: refreshed %s (%s): %s %s", path, language, code, status)
        return done


@shared_task(name="cms.page_cache_refresh", acks_late=True)
def page_cache_refresh(params: dict, paths: list[str]) -> int:
    """Refresh `paths` through the nginx named by `params` (the backend's settings).
    Idempotent: a refresh fetches the page as it is now, so a second delivery (cms.outbox
    delivers at least once) only fetches it again. Registered wherever this app is installed
    (PAGE_CACHE_URL set), the web processes and the worker alike."""
    return len(NginxRefreshBackend(params).refresh(paths))


def restriction_changed(instance, **kwargs):
    from wagtail.contrib.frontend_cache.utils import purge_pages_from_cache

    purge_pages_from_cache(instance.page.get_descendants(inclusive=True).live().specific())
