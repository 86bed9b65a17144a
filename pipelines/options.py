"""Beam pipeline options, always built from an explicit argument list.

`PipelineOptions()` with no arguments reads `sys.argv`, which would hand click's own flags to Beam; we
never do that. Locally the runner is Beam's in-process FnApiRunner, named explicitly: Beam 2.77's
default DirectRunner first tries to download a Prism binary, which must never happen here.
"""

from __future__ import annotations

from collections.abc import Sequence

from apache_beam.options.pipeline_options import PipelineOptions

from pipelines import io

DEFAULT_RUNNER = "FnApiRunner"


def pipeline_options(beam_args: Sequence[str] = ()) -> PipelineOptions:
    """Options for one pipeline: the caller's Beam flags, with the in-process runner by default.

    They are also handed to Beam's file systems at once (io.set_file_system_args), so that what the
    driver itself lists and reads before the pipeline starts (the input files, the staged files'
    footers) and the DoFns built next (io.FilesFn) use the same file-system flags (e.g.
    `--s3_endpoint_url`, credentials)."""
    args = list(beam_args)
    if not any(a == "--runner" or a.startswith("--runner=") for a in args):
        args.append(f"--runner={DEFAULT_RUNNER}")
    io.set_file_system_args(args)
    return PipelineOptions(args)


def multi_process_args(workers: int = 2) -> list[str]:
    """Flags that run the in-process runner with worker processes (used by tests to prove portability)."""
    return [
        f"--runner={DEFAULT_RUNNER}",
        "--direct_running_mode=multi_processing",
        f"--direct_num_workers={workers}",
    ]
