"""Beam pipeline options, always built from an explicit argument list.

`PipelineOptions()` with no arguments reads `sys.argv`, which would hand click's own flags to Beam; we
never do that. Locally the runner is Beam's in-process FnApiRunner, named explicitly: Beam 2.77's
default DirectRunner first tries to download a Prism binary, which must never happen here.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from apache_beam.options.pipeline_options import PipelineOptions

from pipelines import io

DEFAULT_RUNNER = "FnApiRunner"
#: Runners that download a binary before they run (Beam 2.77: DirectRunner and its aliases try
#: the Prism runner first, fetched from the internet; PrismRunner is that binary), by the name
#: Beam's runner lookup reads (lower case, without "runner"; a full class path by its last part).
DOWNLOADING_RUNNERS = frozenset({"direct", "switchingdirect", "testdirect", "prism"})


class RunnerRefused(ValueError):
    """A runner that would download something at run time, or one Beam does not know, was asked
    for."""


def _runner_names(beam_args: Sequence[str]) -> list[str]:
    """The runner names given in `beam_args` (--runner=X or --runner X)."""
    args = list(beam_args)
    names = [a.partition("=")[2] for a in args if a.startswith("--runner=")]
    return names + [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--runner"]


def refused_runner(beam_args: Sequence[str]) -> str | None:
    """Why the runner named in `beam_args` is refused: one that downloads (DOWNLOADING_RUNNERS),
    in words that name the in-process runner to use instead, or one Beam does not know
    (`unknown_runner`); None if it is not refused."""
    for name in _runner_names(beam_args):
        short = name.rsplit(".", 1)[-1].lower().removesuffix("runner")
        if short in DOWNLOADING_RUNNERS:
            return (
                f"--runner={name} is refused: in this Beam version it downloads the Prism runner "
                f"at run time, which must never happen here; use --runner={DEFAULT_RUNNER} (the "
                "in-process runner, the default; --direct_running_mode=multi_processing "
                "--direct_num_workers=2 runs its steps in worker processes)"
            )
    for name in _runner_names(beam_args):
        unknown = unknown_runner(name)
        if unknown is not None:
            return unknown
    return None


def unknown_runner(name: str) -> str | None:
    """Why Beam would not know the runner `name`, or None if it would. Beam looks a name up among
    StandardOptions.ALL_KNOWN_RUNNERS by its class name, case-insensitively and with or without
    "Runner" ("fnapirunner", "FnApi"); a dotted name is a class path it imports, which must be a
    PipelineRunner. Checked before anything runs: Beam only finds out when a pipeline is built,
    with a long traceback, and never when a run has nothing to ingest."""
    from apache_beam.options.pipeline_options import StandardOptions
    from apache_beam.runners.runner import PipelineRunner

    known = {path.rsplit(".", 1)[-1].lower() for path in StandardOptions.ALL_KNOWN_RUNNERS}
    if name.lower() in known or name.lower() + "runner" in known:
        return None
    names = ", ".join(
        n for n in StandardOptions.KNOWN_RUNNER_NAMES
        if n.lower().removesuffix("runner") not in DOWNLOADING_RUNNERS
    )  # fmt: skip
    if "." not in name:
        return (
            f"--runner={name} is not a Beam runner: use {DEFAULT_RUNNER} (the default) or "
            f"another of {names}, or the full class path of a PipelineRunner subclass"
        )
    module, _, attribute = name.rpartition(".")
    try:
        found = getattr(importlib.import_module(module), attribute, None)
    except ImportError as err:
        return f"--runner={name} cannot be imported ({err}): use {DEFAULT_RUNNER} (the default)"
    if not (isinstance(found, type) and issubclass(found, PipelineRunner)):
        return (
            f"--runner={name} is not a Beam runner: {module} has no PipelineRunner named "
            f"{attribute}; use {DEFAULT_RUNNER} (the default) or another of {names}"
        )
    return None


def pipeline_options(beam_args: Sequence[str] = ()) -> PipelineOptions:
    """Options for one pipeline: the caller's Beam flags, with the in-process runner by default
    (a runner that downloads, or one Beam does not know, is refused: RunnerRefused).

    They are also handed to Beam's file systems at once (io.set_file_system_args), so that what the
    driver itself lists and reads before the pipeline starts (the input files, the staged files'
    footers) and the DoFns built next (io.FilesFn) use the same file-system flags (e.g.
    `--s3_endpoint_url`, credentials)."""
    args = list(beam_args)
    refused = refused_runner(args)
    if refused is not None:
        raise RunnerRefused(refused)
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
