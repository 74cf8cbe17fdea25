"""Where a test's documents are kept: a directory of its own, or a real S3-compatible server.

`s3_server` starts moto in server mode (a real HTTP server speaking S3) once per session on
a free loopback port; `documents_storage` points STORAGES["documents"] at a fresh temporary
directory or at a fresh bucket on that server, so a test runs once per kind of storage. No
test ever writes under the project's own var/ directory.
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

import pytest
import requests
from django.test import override_settings

from tests.ports import free_port
from tests.services import require_service

# moto checks nothing, but boto3 refuses to sign without credentials.
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "test-only-access-key",
    "AWS_SECRET_ACCESS_KEY": "test-only-secret-key",
    "AWS_DEFAULT_REGION": "eu-west-2",
}


@dataclass
class S3Server:
    endpoint: str

    def bucket(self) -> str:
        """A new, empty bucket of the caller's own."""
        import boto3

        name = f"bp-test-{uuid.uuid4().hex[:16]}"
        client = boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=S3_ENV["AWS_DEFAULT_REGION"]
        )
        client.create_bucket(
            Bucket=name,
            CreateBucketConfiguration={"LocationConstraint": S3_ENV["AWS_DEFAULT_REGION"]},
        )
        return name

    def storage_url(self, bucket: str, prefix: str = "documents") -> str:
        return f"s3://{bucket}/{prefix}?endpoint_url={self.endpoint}&region={S3_ENV['AWS_DEFAULT_REGION']}"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's S3 server on loopback, for the session; skipped (failed under CI) without it."""
    command = shutil.which("moto_server", path=os.path.dirname(sys.executable))
    require_service("moto's S3 server", command is not None, "pip install -e '.[dev]'")
    for name, value in S3_ENV.items():
        os.environ.setdefault(name, value)
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [command, "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    up = False
    while time.monotonic() < deadline and process.poll() is None:
        try:
            up = requests.get(f"{endpoint}/moto-api/", timeout=1).status_code < 500
        except requests.RequestException:
            up = False
        if up:
            break
        time.sleep(0.1)
    if not up:
        process.kill()
    require_service("moto's S3 server", up, f"it did not answer on {endpoint}: see {log}")
    yield S3Server(endpoint=endpoint)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _storages_with(documents: dict) -> dict:
    from django.conf import settings

    return {**settings.STORAGES, "documents": documents}


@pytest.fixture(params=["filesystem", "s3"])
def documents_storage(request, tmp_path):
    """STORAGES["documents"] on a fresh directory, then on a fresh bucket of a real S3 server.

    Yields the STORAGE_URL it stands for, which a worker process started by the test can be
    given to see the same files.
    """
    from beaconport.env import env_storage

    if request.param == "filesystem":
        url = f"file://{tmp_path / 'documents'}"
    else:
        server = request.getfixturevalue("s3_server")
        url = server.storage_url(server.bucket())
    os.environ["STORAGE_URL"] = url
    try:
        with override_settings(STORAGES=_storages_with(env_storage("STORAGE_URL", None))):
            yield url
    finally:
        os.environ.pop("STORAGE_URL", None)


@pytest.fixture
def filesystem_documents(tmp_path):
    """STORAGES["documents"] on a fresh directory only (for tests about something else)."""
    from beaconport.env import env_storage

    url = f"file://{tmp_path / 'documents'}"
    os.environ["STORAGE_URL"] = url
    try:
        with override_settings(STORAGES=_storages_with(env_storage("STORAGE_URL", None))):
            yield url
    finally:
        os.environ.pop("STORAGE_URL", None)
