"""The pipelines give the same bytes on other runners: Beam's multi-process mode and the portable
job service (the Python SDK's embedded job service with the LOOPBACK environment, no downloads).
That is what proves they hold no state outside the pipeline and that everything they ship pickles."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.test_job_e2e import AS_OF, parquet_digests

pytestmark = pytest.mark.slow  # whole job on two runners

RUNNERS = {
    "multi_process": ["--direct_running_mode=multi_processing", "--direct_num_workers=2"],
    "portable_loopback": [
        "--runner=PortableRunner",
        "--job_endpoint=embed",
        "--environment_type=LOOPBACK",
    ],
}


def run_with(root, inputs, extra):
    result = CliRunner().invoke(
        cli,
        [
            "run",
            "--data-root",
            str(root),
            "--inputs",
            str(inputs),
            "--as-of",
            AS_OF,
            "--no-report",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return parquet_digests((root / "published").resolve())


@pytest.fixture(scope="module")
def in_process_digests(tmp_path_factory):
    from tests.conftest import TINY

    return run_with(tmp_path_factory.mktemp("in_process"), TINY, [])


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_other_runner_writes_the_same_bytes_as_in_process(
    runner, in_process_digests, tiny_inputs, tmp_path
):
    digests = run_with(tmp_path / runner, tiny_inputs, RUNNERS[runner])
    assert digests == in_process_digests
    assert len(digests) >= 10
