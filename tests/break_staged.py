"""A run the gate stops, for the tests of what a stopped run does (exit 4, nothing published,
nothing personal printed or kept).

No input record makes the gate fail: the ingest checks every rule on one record that the gate
checks (both read them off the models, schemas/rules.py), drops repeated ids, and the demand
pipeline derives the rest. The last record that got through, a catalog row priced 0.00, is
quarantined since the input model asks for a price above 0. The gate is the independent second
check of what is about to be published, so a test makes it fail the way it is there to catch: a
staged file broken after the pipelines wrote it (a pipeline bug, a file changed on disk). That
happens at the job's public `demand` step boundary (pipelines/job.py: both pipelines done, the
checks not started), with pyarrow's public API.

In-process (`unmet` through click's CliRunner):
    monkeypatch.setattr(job, "boundary", breaking(data_root, job.boundary, "SKU-5"))
In a subprocess, from the checkout's root (`python -m tests.break_staged SKU <unmet arguments>`):
    python -m tests.break_staged SKU-1 run --data-root data --inputs inputs
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

#: The boundary after which the datasets are staged and the gate has not read them yet.
AFTER_PIPELINES = "demand"


def price_at_zero(run_dir: Path, sku: str) -> None:
    """Set `sku`'s list_price to 0.0 in the run's staged catalog (the Parquet file holding it is
    rewritten with its own schema); AssertionError if no staged row has that sku."""
    found = False
    for path in sorted((run_dir / "stg_catalog").glob("*.parquet")):
        table = pq.read_table(path, partitioning=None)
        hit = pc.equal(table["sku"], sku)
        if not pc.any(hit).as_py():
            continue
        index = table.schema.get_field_index("list_price")
        field = table.schema.field(index)
        zero = pa.scalar(0.0, field.type)
        pq.write_table(table.set_column(index, field, pc.if_else(hit, zero, table[index])), path)
        found = True
    assert found, f"no staged catalog row has sku {sku!r} in {run_dir}"


def breaking(data_root: Path, boundary: Callable[[str], None], sku: str) -> Callable[[str], None]:
    """A replacement for pipelines.job.boundary that prices `sku` at 0 in the staged catalog of
    the run in progress (the one `runs/*.partial` folder of `data_root`) once the pipelines are
    done, then passes every boundary on to `boundary`."""

    def hook(name: str) -> None:
        if name == AFTER_PIPELINES:
            (run_dir,) = (data_root.resolve() / "runs").glob("*.partial")
            price_at_zero(run_dir, sku)
        boundary(name)

    return hook


def main(argv: Sequence[str]) -> None:
    """`unmet` with `sku` priced at 0 between the pipelines and the gate: argv = SKU, then the
    arguments of `unmet` (with --data-root)."""
    from cli.main import cli
    from pipelines import job

    sku, *args = argv
    data_root = Path(args[args.index("--data-root") + 1])
    job.boundary = breaking(data_root, job.boundary, sku)
    cli.main(args, prog_name="unmet")


if __name__ == "__main__":
    main(sys.argv[1:])
