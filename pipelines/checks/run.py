"""Data-quality gates run before anything is published.

`gate` reads the run's Parquet datasets with pyarrow, validates each against its expectation
suite (pipelines/checks/suites.py) with Great Expectations on pandas frames, fully offline, and
writes `validation.json` into the run folder. Any failed or errored expectation raises
`ChecksFailed`, whose message says which dataset, which rule and what was seen; job.py then stops
before publishing.
docs/data-quality.md explains how to read it.
"""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import gc
import json
import math
import os
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipelines import summary
from pipelines.checks import carried, facts, frames, suites
from pipelines.ingest.redact import scrub

VALIDATION_FILE = "validation.json"

#: The name of the data source each GE batch gets (and loses right after).
BATCH_SOURCE = "unmet_batch"


class ChecksFailed(Exception):
    """An expectation failed: nothing is published. `personal` is True when a rule on personal data
    failed (a contact detail may have slipped past the redactor): job.py then removes the stopped
    run's datasets."""

    def __init__(self, message: str, personal: bool = False) -> None:
        super().__init__(message)
        self.personal = personal


#: What replaces the values a rule on personal data found (docs/privacy.md).
WITHHELD = "values withheld: personal data"


@dataclass(frozen=True)
class Outcome:
    """The result of one expectation, in plain values."""

    dataset: str
    expectation: str
    why: str
    kwargs: dict[str, Any]
    success: bool
    errored: bool
    error: str | None
    observed_value: Any
    element_count: int | None
    unexpected_count: int | None
    unexpected_values: list[Any]
    personal: bool = False  # a rule on personal data: values withheld

    def as_dict(self) -> dict[str, Any]:
        return {
            "expectation": self.expectation,
            "why": self.why,
            "kwargs": self.kwargs,
            "success": self.success,
            "errored": self.errored,
            "error": self.error,
            "observed_value": self.observed_value,
            "element_count": self.element_count,
            "unexpected_count": self.unexpected_count,
            "unexpected_values": self.unexpected_values,
            **({"note": WITHHELD} if self.personal else {}),
        }

    def describe(self) -> str:
        """One line: dataset, rule, what was seen."""
        columns = ", ".join(suites.Rule(self.expectation, self.kwargs, self.why).columns)
        head = f"{self.dataset}: {self.why} [{self.expectation}({columns})]"
        if self.errored:
            return f"{head}: ERRORED, could not be evaluated: {self.error}"
        seen = []
        if self.unexpected_count:
            seen.append(f"{self.unexpected_count} of {self.element_count} rows unexpected")
        if self.unexpected_values:
            seen.append("e.g. " + ", ".join(_short(v) for v in self.unexpected_values))
        elif self.personal and self.unexpected_count:
            seen.append(WITHHELD)
        if self.observed_value is not None and not self.unexpected_count:
            seen.append(f"observed {_short(self.observed_value)}")
        return f"{head}: " + ("; ".join(seen) or "failed")


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def plain(value: Any) -> Any:
    """A JSON-safe copy: timestamps as ISO text, numpy scalars as Python, NaN as None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (ValueError, TypeError):
            return str(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def shown(value: Any) -> Any:
    """A value as the gate may show it: every contact detail in its text replaced by a token."""
    if isinstance(value, list):
        return [shown(v) for v in value]
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
        return value if scrub(text) == text else scrub(text)
    return value


def error_of(exception_info: Any) -> str | None:
    """The error message if the expectation raised while being evaluated, else None.

    GE puts either one {'raised_exception': ...} dict or one such dict per metric in exception_info.
    """
    if not exception_info:
        return None
    infos = [exception_info] if "raised_exception" in exception_info else exception_info.values()
    messages = [
        str(info.get("exception_message") or "unknown error")
        for info in infos
        if isinstance(info, dict) and info.get("raised_exception")
    ]
    return scrub("; ".join(dict.fromkeys(messages))) or None


def _shown_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    shown = {
        k: v for k, v in kwargs.items() if v is not None and k not in ("batch_id", "result_format")
    }
    return plain(shown)


#: Rows of one dataset validated at a time: memory is bounded by a chunk, whatever the size of the
#: run. At 1M input records the staging tables are one chunk each, signals and events two, the mart
#: (1.5M rows) four; each extra chunk costs ~8 ms per expectation of its suite. 1M-row chunks
#: peaked at 2.0 GiB at 10M records, 500k-row ones at 1.4 GiB, 0.97 GiB since GE no longer
#: copies whole frames and the reader no longer runs ahead (docs/performance.md).
CHUNK_ROWS = 500_000

#: The chunks of one dataset, chk_* columns included, by dataset name.
Chunks = Callable[[str], Iterable[Any]]


def ge_context() -> Any:
    """An ephemeral (in-memory) Great Expectations context without progress bars (they would print
    to stderr on every batch); imports great_expectations: ~3 s the first time."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        progress_bars={"globally": False, "metric_calculations": False},
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def validate(
    suite_list: list[suites.Suite], chunks: Chunks
) -> tuple[list[Outcome], dict[str, int], dict[str, float]]:
    """Validate every suite against the chunks of its dataset; returns the outcomes, the rows of
    each dataset and timings (seconds)."""
    started = time.perf_counter()
    context = ge_context()
    imported = time.perf_counter()
    # Each batch ends with a garbage collection (see _run); the objects alive now (Great
    # Expectations' modules above all) are left out of them: 0.14 s -> ~0 s per collection.
    gc.freeze()
    # BASIC already holds all we report (element_count, unexpected_count, the first unexpected
    # values, observed_value). SUMMARY adds unexpected *index* lists, for which GE filters the
    # whole frame once per expectation, even when it passes: 2x the validation time at 200k rows.
    result_format = {
        "result_format": "BASIC",
        "partial_unexpected_count": suites.PARTIAL_UNEXPECTED,
    }
    outcomes: list[Outcome] = []
    rows: dict[str, int] = {}
    try:
        for suite in suite_list:
            suite_outcomes, rows[suite.dataset] = _validate_suite(
                context, suite, chunks(suite.dataset), result_format
            )
            outcomes.extend(suite_outcomes)
    finally:
        gc.unfreeze()
    done = time.perf_counter()
    return (
        outcomes,
        rows,
        {"import_s": round(imported - started, 2), "validate_s": round(done - imported, 2)},
    )


def _validate_suite(
    context: Any, suite: suites.Suite, chunks: Iterable[Any], result_format: dict[str, Any]
) -> tuple[list[Outcome], int]:
    """Validate one suite: its row-local rules on every chunk (one or two GE batches each, see
    frames.by_partial_nulls), the others on a narrow frame of only their columns over the whole
    dataset. Returns the outcomes, one per
    rule with the chunks' counts summed, and the rows of the dataset."""
    local = [i for i, rule in enumerate(suite.rules) if rule.row_local]
    whole = [i for i, rule in enumerate(suite.rules) if not rule.row_local]
    local_rules = {i: suite.rules[i].columns for i in local}
    ge_suites: dict[tuple[int, ...], Any] = {}
    whole_columns = _columns(suite, whole)
    results: list[Any] = []
    narrow: list[Any] = []
    rows = 0
    for table in chunks:
        rows += table.num_rows
        batches = [
            (group, frames.frame(table, _columns(suite, group)))
            for group in frames.by_partial_nulls(table, local_rules)
        ]
        if whole:
            narrow.append(frames.narrow(table, whole_columns))
        # The Arrow chunk is freed before Great Expectations runs: only the frames are needed then.
        del table
        while batches:
            group, frame = batches.pop(0)
            if group not in ge_suites:
                ge_suites[group] = saved(context, suite, group, str(len(ge_suites)))
            results += _run(context, frame, ge_suites[group], result_format)
            del frame
        _release_memory()
    if whole:
        whole_table = frames.concat(narrow)
        frame = frames.frame(whole_table, tuple(whole_table.column_names))
        results += _run(context, frame, saved(context, suite, whole, "whole"), result_format)
    by_rule: dict[int, list[Any]] = {}
    for r in results:
        by_rule.setdefault(r.expectation_config.meta["rule"], []).append(r)
    if sorted(by_rule) != list(range(len(suite.rules))):
        raise ChecksFailed(f"{suite.name}: Great Expectations did not report every rule")
    return [_merge(suite, index, by_rule[index]) for index in sorted(by_rule)], rows


def _release_memory() -> None:
    """Give the memory freed after a chunk back to the system. glibc keeps freed blocks in one
    arena per thread that allocated them (pyarrow's readers run on several), so without this the
    resident size creeps up chunk after chunk: at 10M records, 9 chunks of 500k notes held 1.4 GiB,
    0.9-1.0 GiB with it. Elsewhere than glibc, nothing to do."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _columns(suite: suites.Suite, indexes: list[int]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for i in indexes for c in suite.rules[i].columns))


def _run(context: Any, frame: Any, ge_suite: Any, result_format: dict[str, Any]) -> list[Any]:
    """One GE batch: `frame` against `ge_suite` (saved in `context`, see `saved`), through GE's
    public API, on a data source of its own that is deleted afterwards. GE 1.24's execution engine
    (one per data source) keeps every batch it loaded until the data source goes: a data source
    shared by all the batches of the gate held a frame of every dataset (docs/performance.md).
    The data source, its engine and the batch refer to each other, so a garbage collection frees
    them, once _batch has returned (its locals hold them until then)."""
    try:
        return _batch(context, frame, ge_suite, result_format)
    finally:
        gc.collect()


def _batch(context: Any, frame: Any, ge_suite: Any, result_format: dict[str, Any]) -> list[Any]:
    """A ValidationDefinition gets the batch once; `batch.validate` would get it a second time,
    and GE takes an md5 of the whole frame each time (~50 ms per 500k-row batch)."""
    import great_expectations as gx

    source = context.data_sources.add_pandas(BATCH_SOURCE)
    try:
        whole = source.add_dataframe_asset("frame").add_batch_definition_whole_dataframe("whole")
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=BATCH_SOURCE, data=whole, suite=ge_suite)
        )
        try:
            batch = {"dataframe": frame}
            return list(validation.run(batch_parameters=batch, result_format=result_format).results)
        finally:
            context.validation_definitions.delete(BATCH_SOURCE)
    finally:
        context.data_sources.delete(BATCH_SOURCE)


def saved(context: Any, suite: suites.Suite, only: list[int] | tuple[int, ...], part: str) -> Any:
    """The GE suite of `suite`'s rules numbered `only`, saved in `context` (a ValidationDefinition
    runs only a saved suite) under a name of its own: `part` tells apart the suites of a dataset."""
    named = dataclasses.replace(suite, dataset=f"{suite.dataset}.{part}")
    return context.suites.add(suites.to_ge_suite(named, only))


def _sum(values: list[Any]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _expectation_type(rule: suites.Rule) -> str:
    """The snake-case name GE reports for `rule` (expect_column_values_to_be_null)."""
    import great_expectations.expectations as gxe

    return str(getattr(gxe, rule.expectation).expectation_type)


def _merge(suite: suites.Suite, index: int, results: list[Any]) -> Outcome:
    """One rule's outcome from its results on every chunk: it passes only if it passed on every
    chunk; counts are summed; the first unexpected values are those of the first chunks."""
    details = [r.result or {} for r in results]
    errors = [e for r in results if (e := error_of(r.exception_info))]
    error = "; ".join(dict.fromkeys(errors)) or None
    observed = [d.get("observed_value") for d in details]
    personal = suite.rules[index].personal
    unexpected = [] if personal else [
        v for d in details for v in shown(plain(d.get("partial_unexpected_list") or []))
    ]  # fmt: skip
    return Outcome(
        dataset=suite.dataset,
        expectation=_expectation_type(suite.rules[index]),
        why=suite.rules[index].why,
        kwargs=_shown_kwargs(suite.rules[index].kwargs),
        success=all(bool(r.success) for r in results) and error is None,
        errored=error is not None,
        error=error,
        # Row-local rules (the only ones ever split in chunks) report no observed value.
        observed_value=None
        if personal
        else shown(
            plain(
                observed[0]
                if len(observed) == 1
                else [o for o in observed if o is not None] or None
            )
        ),  # fmt: skip
        element_count=_sum([d.get("element_count") for d in details]),
        unexpected_count=_sum([d.get("unexpected_count") for d in details]),
        unexpected_values=unexpected[: suites.PARTIAL_UNEXPECTED],
        personal=personal,
    )


def report(
    outcomes: list[Outcome], rows: dict[str, int], as_of: datetime, timings: dict[str, float]
) -> dict[str, Any]:
    """The content of validation.json."""
    by_dataset: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_dataset.setdefault(outcome.dataset, []).append(outcome)
    return {
        "success": all(o.success for o in outcomes),
        "as_of": as_of.isoformat(),
        "expectations": len(outcomes),
        "failed": sum(not o.success and not o.errored for o in outcomes),
        "errored": sum(o.errored for o in outcomes),
        "timings_s": timings,
        "suites": [
            {
                "dataset": dataset,
                "suite": f"unmet.{dataset}",
                "rows": rows[dataset],
                "success": all(o.success for o in results),
                "expectations": [o.as_dict() for o in results],
            }
            for dataset, results in by_dataset.items()
        ],
    }


def failure_message(outcomes: list[Outcome], path: Path) -> str:
    bad = [o for o in outcomes if not o.success]
    errored = sum(o.errored for o in bad)
    datasets = len({o.dataset for o in bad})
    head = (
        f"{len(bad)} of {len(outcomes)} expectations did not pass "
        f"({len(bad) - errored} failed, {errored} errored) in {datasets} dataset(s); "
        f"details: {path}"
    )
    return "\n".join([head, *(f"- {o.describe()}" for o in bad)])


def _timed(function: Callable[[Path], Any], arg: Path) -> tuple[Any, float]:
    started = time.perf_counter()
    return function(arg), round(time.perf_counter() - started, 2)


def gate(
    run_dir: Path,
    counts: list[summary.SourceCount],
    as_of: datetime,
    chunk_rows: int = CHUNK_ROWS,
    only: Collection[str] | None = None,
    base: Path | None = None,
) -> None:
    """Validate the run in `run_dir`, `chunk_rows` rows of a dataset at a time; write
    validation.json; raise ChecksFailed on any failure. With `only` (an incremental run: the
    files it wrote, relative to `run_dir`), the rules run on those files' rows and on every
    carried file whose bytes are not those `base`'s validation.json says were validated
    (checks/carried.py); the facts across rows and datasets are found over every staging file
    and the weeks of the ledger and marts those files are in (facts.WEEKLY)."""
    chosen = carried.scope(run_dir, only, base)
    suite_list = suites.build_suites(as_of)
    rule_columns = {suite.dataset: suite.columns for suite in suite_list}
    # DuckDB finds the facts without the GIL while this thread imports Great Expectations (~3 s);
    # then the validated files are hashed (hashlib also releases the GIL) while GE validates.
    with ThreadPoolExecutor(max_workers=1) as pool:
        found = pool.submit(_timed, functools.partial(facts.compute, only=chosen.only), run_dir)
        run_id = run_dir.name.removesuffix(".partial")
        hashed = pool.submit(carried.records, run_dir, run_id, chosen)

        def chunks(dataset: str) -> Iterator[Any]:
            if dataset == "ingest_counts":
                yield frames.counts_table(counts)
                return
            columns = frames.read_columns(dataset, rule_columns[dataset])
            derive = functools.partial(frames.derive_chunk, dataset, facts=found.result()[0])
            # map keeps no chunk between two: the validation alone holds it, and frees it
            yield from map(
                derive, frames.chunks(run_dir, dataset, chunk_rows, columns, chosen.only)
            )

        outcomes, rows, timings = validate(suite_list, chunks)
    timings = {"facts_s": found.result()[1], **timings}
    path = run_dir / VALIDATION_FILE
    content = report(outcomes, rows, as_of, timings)
    content["validated_files"] = "all" if chosen.only is None else len(chosen.only)
    content["validated_again"] = chosen.again
    content["files"] = hashed.result()
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n")
    if not content["success"]:
        personal = any(o.personal and not o.success for o in outcomes)
        message = failure_message(outcomes, path)
        if chosen.again:
            again = "\n".join(carried.described(chosen))
            message += (
                f"\nCarried file(s) validated again, not the bytes validated before:\n{again}"
            )
        raise ChecksFailed(message, personal)
