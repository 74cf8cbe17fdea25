"""STORAGE_URL: where documents are kept, read from the environment and refused when unclear."""

import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings

from beaconport.env import env_storage


def test_unset_keeps_documents_in_the_default_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("STORAGE_URL", raising=False)
    storage = env_storage("STORAGE_URL", tmp_path / "documents")
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"]["location"] == str(tmp_path / "documents")


def test_an_s3_url_names_bucket_prefix_endpoint_and_region_and_keeps_files_private(monkeypatch):
    monkeypatch.setenv(
        "STORAGE_URL",
        "s3://review-files/documents?endpoint_url=https://s3.example&region=eu-west-2",
    )
    storage = env_storage("STORAGE_URL", "/unused")
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("review-files", "documents")
    assert (options["endpoint_url"], options["region_name"]) == ("https://s3.example", "eu-west-2")
    assert options["default_acl"] is None and options["file_overwrite"] is False
    assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example/documents",  # not a storage we know
        "file://relative/dir",  # a host where an absolute path belongs
        "s3:///documents",  # no bucket
        "s3://bucket?secret=abc",  # an option we do not know (never credentials in the URL)
    ],
)
def test_an_unclear_url_stops_start_up_with_the_variable_named(monkeypatch, url):
    monkeypatch.setenv("STORAGE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="STORAGE_URL"):
        env_storage("STORAGE_URL", "/unused")


def test_files_on_the_filesystem_are_readable_by_the_service_alone(monkeypatch, tmp_path):
    monkeypatch.setenv("STORAGE_URL", f"file://{tmp_path / 'documents'}")
    with override_settings(STORAGES={"documents": env_storage("STORAGE_URL", None)}):
        name = storages["documents"].save("cases/1/a.txt", ContentFile(b"synthetic"))
        path = storages["documents"].path(name)
    assert stat.S_IMODE((tmp_path / "documents" / "cases" / "1").stat().st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
