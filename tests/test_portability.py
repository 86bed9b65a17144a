"""The pipelines give the same output in Beam's multi-process mode: they hold no state outside the
pipeline and everything they ship to workers pickles."""

from __future__ import annotations

from click.testing import CliRunner

from cli.main import cli
from tests.test_job_e2e import AS_OF, parquet_digests


def test_multi_process_run_writes_the_same_bytes_as_in_process(tiny_inputs, tmp_path):
    digests = []
    for name, extra in (
        ("in_process", []),
        ("multi_process", ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]),
    ):
        root = tmp_path / name
        result = CliRunner().invoke(
            cli,
            ["run", "--data-root", str(root), "--inputs", str(tiny_inputs), "--as-of", AS_OF,
             "--no-report", *extra],  # fmt: skip
        )
        assert result.exit_code == 0, result.output
        digests.append(parquet_digests((root / "published").resolve()))
    assert digests[0] == digests[1]
