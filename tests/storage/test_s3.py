"""Media past one machine: with an S3-compatible store configured (S3_BUCKET), uploads,
renditions, H5P packages and report exports live in a real S3 server (SeaweedFS on
loopback), and a machine without the local copies still serves them."""

import io
import shutil
import urllib.request
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.images import ImageFile
from PIL import Image as PILImage

from assessments.h5p.tokens import make_token
from tests.campaigns.test_exports import download_rows, request_export

pytestmark = pytest.mark.django_db


def png(width=400, height=300) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (12, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_uploaded_image_and_its_rendition_are_in_the_bucket(object_storage):
    from wagtail.images import get_image_model

    image = get_image_model()(title="Quét mã QR an toàn")
    image.file = ImageFile(io.BytesIO(png()), name="quet-ma-qr.png")
    image.save()
    rendition = image.get_rendition("width-120")

    stored = object_storage["keys"]("media")
    assert image.file.name in stored
    assert rendition.file.name in stored
    assert not (settings.MEDIA_ROOT / image.file.name).exists()  # nothing on local disk
    # The rendition's URL is a signed link to the store; a browser gets the picture from it.
    assert rendition.url.startswith(object_storage["endpoint"] + "/")
    with urllib.request.urlopen(rendition.url, timeout=10) as response:  # noqa: S310 - loopback
        assert PILImage.open(io.BytesIO(response.read())).size == (120, 90)


def test_an_h5p_package_is_served_on_the_content_origin_from_the_bucket(
    object_storage, playable_package, client
):
    package = playable_package("H5P.TrueFalse")
    stored = object_storage["keys"]("h5p")
    assert f"uploads/{package.archive_sha256}.h5p" in stored
    assert f"content/{package.archive_sha256}/h5p.json" in stored
    assert any(key.startswith("libraries/") for key in stored)

    # Another web machine: no local H5P folder at all.
    shutil.rmtree(settings.H5P_STORAGE_ROOT)
    host = urlsplit(settings.CONTENT_ORIGIN).netloc
    base = f"/c/{make_token(package.pk)}"
    h5p_json = client.get(f"{base}/content/h5p.json", HTTP_HOST=host)
    assert h5p_json.status_code == 200
    assert b"".join(h5p_json.streaming_content).startswith(b"{")
    assert h5p_json["Content-Type"] == "application/json"
    # A library file of the package, from the pool in the bucket.
    from assessments.h5p.models import H5PLibrary

    key = next(k for k in stored if k.startswith("libraries/") and k.endswith(".js"))
    files_sha, rel = key.split("/", 2)[1:]
    library = H5PLibrary.objects.get(files_sha256=files_sha)
    folder = f"{library.machine_name}-{library.major_version}.{library.minor_version}"
    script = client.get(f"{base}/libraries/{folder}/{rel}", HTTP_HOST=host)
    assert script.status_code == 200
    assert script["Content-Type"] == "text/javascript; charset=utf-8"
    player = client.get(f"{base}/player.html", HTTP_HOST=host)
    assert player.status_code == 200
    assert "set-cookie" not in {k.lower() for k in player.headers}


def test_an_export_is_built_into_the_bucket_and_downloaded_from_it(
    object_storage, client, tree, learner_in, manager_of, django_capture_on_commit_callbacks
):
    learner_in(tree["unit"], name="Trần Thị Ánh", email="anh@example.vn")
    manager = manager_of(tree["snv"])
    export = request_export(
        client, manager, tree["snv"], capture=django_capture_on_commit_callbacks
    )
    assert export.status == "done", export.error
    assert object_storage["keys"]("reports") == [export.file_name]
    assert not any(settings.REPORTS_DIR.glob("export-*"))  # the local copy was work space
    # The download view streams the bucket's object: the same bytes, read as rows.
    response = client.get(f"/quan-ly/xuat-file/{export.pk}/tai-ve/")
    assert response.status_code == 200
    served = b"".join(response.streaming_content)
    key = f"{object_storage['prefix']}/reports/{export.file_name}"
    stored = object_storage["client"].get_object(Bucket=object_storage["bucket"], Key=key)
    assert served == stored["Body"].read()
    _response, rows = download_rows(client, export)
    assert rows[0] and len(rows) >= 1
