"""pipelines/objectstore.py and the object-store data root's option handling, without a server
(tests/test_object_storage.py runs them against moto)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli.main import cli
from pipelines import objectstore
from pipelines.job import shown_args

pytest.importorskip("boto3", reason="apache-beam[aws] is not installed")


@pytest.mark.parametrize(
    ("root", "remote"),
    [("s3://bucket/unmet", True), ("gs://bucket", True), ("data", False), ("/srv/unmet", False)],
)
def test_is_remote(root, remote):
    assert objectstore.is_remote(root) is remote


@pytest.mark.parametrize(
    ("root", "bucket", "key", "url"),
    [
        ("s3://bkt/unmet", "bkt", "unmet/runs/R1", "s3://bkt/unmet/runs/R1"),
        ("s3://bkt/a/b/", "bkt", "a/b/runs/R1", "s3://bkt/a/b/runs/R1"),
        ("s3://bkt", "bkt", "runs/R1", "s3://bkt/runs/R1"),
    ],
)
def test_store_keys_and_urls(root, bucket, key, url):
    store = objectstore.Store.open(root, ["--s3_region_name=us-east-1"])
    assert store.bucket == bucket
    assert store.key("runs", "R1") == key
    assert store.url("runs", "R1") == url


@pytest.mark.parametrize("root", ["gs://bkt/unmet", "s3://"])
def test_store_refuses_what_it_cannot_open(root):
    with pytest.raises(ValueError):
        objectstore.Store.open(root, [])


def test_secret_flags_are_masked_in_both_spellings():
    args = ["--runner=X", "--s3_secret_access_key=abc", "--s3_access_key_id", "def",
            "--s3_session_token=ghi", "--s3_endpoint_url=http://127.0.0.1:1"]  # fmt: skip
    assert shown_args(args) == ["--runner=X", "--s3_secret_access_key=***", "--s3_access_key_id",
                                "***", "--s3_session_token=***",
                                "--s3_endpoint_url=http://127.0.0.1:1"]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--data-root", "s3://bkt/unmet", "--inputs", "s3://bkt/in"], "--local-root"),
        (["--data-root", "s3://bkt/unmet", "--local-root", "x"], "--inputs"),
        (["--data-root", "gs://bkt/unmet", "--inputs", "gs://bkt/in", "--local-root", "x"],
         "only s3://"),
    ],
)  # fmt: skip
def test_an_object_store_data_root_needs_its_options(args, says, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["run", *args])
    assert result.exit_code == 2
    assert says in result.output


def test_s3_files_are_opened_through_one_kept_client_per_thread(monkeypatch):
    """io.open_file/create_file keep one Beam S3IO per thread and set of flags for s3:// files
    (Beam's S3 file system builds a boto3 client per file; pipelines/io.py says what it cost);
    other schemes, compressed files and a process without flags go through FileSystems."""
    import threading

    from pipelines import io

    monkeypatch.setattr(io, "_file_system_args", [])
    assert io._s3io("s3://bkt/a.parquet", "auto") is None  # no flags: FileSystems decides
    monkeypatch.setattr(io, "_file_system_args", ["--s3_region_name=us-east-1"])
    kept = io._s3io("s3://bkt/a.parquet", "auto")
    assert kept is not None
    assert io._s3io("s3://bkt/b/c.json", "uncompressed") is kept
    assert io._s3io("s3://bkt/notes.jsonl.gz", "auto") is None
    assert io._s3io("/srv/a.parquet", "auto") is None
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(io._s3io("s3://bkt/a.parquet", "auto")))
    thread.start()
    thread.join()
    assert other[0] is not None and other[0] is not kept
    monkeypatch.setattr(io, "_file_system_args", ["--s3_region_name=eu-west-1"])
    assert io._s3io("s3://bkt/a.parquet", "auto") not in (None, kept)
