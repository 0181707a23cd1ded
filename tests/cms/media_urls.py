"""Test-only URLconf: the site's routes plus /media/ served from the storage backend (the
in-memory storage of the test settings), with byte ranges as browsers ask for video."""

import mimetypes
import re

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.urls import path

from cms.urls import urlpatterns as site_urlpatterns

mimetypes.add_type("text/vtt", ".vtt")


def serve_media(request, name):
    if not default_storage.exists(name):
        raise Http404(name)
    with default_storage.open(name, "rb") as fh:
        data = fh.read()
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    match = re.match(r"bytes=(\d+)-(\d*)", request.headers.get("Range", ""))
    if match:
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else len(data) - 1
        response = HttpResponse(data[start : end + 1], status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
    else:
        response = HttpResponse(data, content_type=content_type)
    response["Accept-Ranges"] = "bytes"
    return response


urlpatterns = [path("media/<path:name>", serve_media), *site_urlpatterns]
