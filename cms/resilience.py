"""What a visitor sees when the database is the part that is down.

`server_error` is the site's handler500 (cms/urls.py). Django calls it for any exception a
view or a middleware let through, still inside the `except` block, so it can look at the
exception: a lost or refused database connection (django.db.OperationalError or
InterfaceError, e.g. during a PostgreSQL restart) is not a bug but a gap, and gets a
"maintenance" 503 page with Retry-After, rendered without touching the database (no
request context processors, no user). Anything else is the usual 500 page.

Nothing is half-written: every write runs in one transaction (services.py), which the
database rolls back when the connection dies. The app reconnects by itself afterwards:
CONN_HEALTH_CHECKS (cms/settings.py) checks a persistent connection before reusing it.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as default_server_error

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
MAINTENANCE_RETRY_AFTER_SECONDS = 60


def database_unavailable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, DATABASE_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def maintenance_response() -> HttpResponse:
    from django.conf import settings

    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("cms/maintenance.html")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(MAINTENANCE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def server_error(request, template_name="500.html"):
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        logger.warning("database unavailable, answered 503: %s", exc)
        return maintenance_response()
    try:
        return default_server_error(request, template_name=template_name)
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        return HttpResponseServerError("<h1>Server Error (500)</h1>", content_type="text/html")
