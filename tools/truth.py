"""Score the demand ledger against the generator's planted ground truth (truth/events.csv,
truth/traces.csv). Used by the tests and by::

    python -m tools.truth DB INPUTS          # score a job already run on INPUTS
    python -m tools.truth --end-to-end       # generate, run and score (for make eval)
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines import warehouse

SQL = """
create or replace temp table truth_events as
  select * from read_csv(?, all_varchar = true);
create or replace temp table truth_traces as
  select * from read_csv(?, all_varchar = true);
create or replace temp table linked as
  select distinct record_id, event_id as pred_event from demand_signals;
create or replace temp table truth_to_pred as
  select t.event_id, count(distinct l.pred_event) as n_pred, count(*) as n_traces,
         count(l.pred_event) as n_found, any_value(l.pred_event) as pred_event
  from truth_traces t left join linked l using (record_id) group by t.event_id;
create or replace temp table pred_to_truth as
  select l.pred_event, count(distinct t.event_id) as n_truth
  from linked l left join truth_traces t using (record_id) group by l.pred_event;
create or replace temp table exact as
  select tp.event_id, tp.pred_event
  from truth_to_pred tp join pred_to_truth pt using (pred_event)
  where tp.n_pred = 1 and tp.n_found = tp.n_traces and pt.n_truth = 1;
"""


@dataclass(frozen=True)
class TruthScore:
    truth_events: int
    predicted_events: int
    exactly_recovered: int  # truth events whose traces form exactly one predicted event
    split: int  # truth events spread over several predicted events
    merged: int  # predicted events holding traces of several truth events
    lost_traces: int  # demand traces that produced no signal at all
    from_noise: int  # predicted events made only of records that are not demand
    classified_right: int  # among exactly recovered events
    revenue_truth_eur: float  # priced revenue of every truth event a trace prices
    revenue_predicted_eur: float  # lost (priced) revenue of every predicted event
    estimated_revenue_eur: float  # estimated revenue of every predicted event, reported apart
    revenue_truth_unpriced_eur: float  # truth revenue of the events no trace prices
    #: over exactly recovered events the truth values but no trace prices: (truth, estimate)
    estimate_check_eur: tuple[float, float]

    @property
    def recovery(self) -> float:
        return self.exactly_recovered / self.truth_events

    @property
    def classification_accuracy(self) -> float:
        return self.classified_right / self.exactly_recovered

    @property
    def revenue_error(self) -> float:
        return abs(self.revenue_predicted_eur - self.revenue_truth_eur) / self.revenue_truth_eur


def score(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> TruthScore:
    for statement in SQL.split(";"):
        if "?" in statement:
            path = truth_dir / ("events.csv" if "truth_events" in statement else "traces.csv")
            con.execute(statement, [str(path)])
        elif statement.strip():
            con.execute(statement)
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    truth = con.execute(
        """select sum(try_cast(lost_revenue_eur as double)) filter (where priced = 'true'),
                  sum(try_cast(lost_revenue_eur as double)) filter (where priced <> 'true')
           from truth_events"""
    ).fetchone()
    check = con.execute(
        """select sum(try_cast(t.lost_revenue_eur as double)), sum(e.estimated_revenue_eur)
           from exact x join truth_events t using (event_id)
           join demand_events e on e.event_id = x.pred_event
           where t.priced <> 'true' and try_cast(t.lost_revenue_eur as double) is not null"""
    ).fetchone()
    pred = con.execute(
        "select sum(lost_revenue_eur), sum(estimated_revenue_eur) from demand_events"
    ).fetchone()
    return TruthScore(
        truth_events=one("select count(*) from truth_events"),
        predicted_events=one("select count(*) from demand_events"),
        exactly_recovered=one("select count(*) from exact"),
        split=one("select count(*) from truth_to_pred where n_pred > 1"),
        merged=one("select count(*) from pred_to_truth where n_truth > 1"),
        lost_traces=one("select sum(n_traces - n_found) from truth_to_pred"),
        from_noise=one("select count(*) from pred_to_truth where n_truth = 0"),
        classified_right=one(
            """select count(*) from exact x join truth_events t using (event_id)
               join demand_events e on e.event_id = x.pred_event
               where e.classification = t.classification"""
        ),
        revenue_truth_eur=round(truth[0] or 0.0, 2),
        revenue_predicted_eur=round(pred[0] or 0.0, 2),
        estimated_revenue_eur=round(pred[1] or 0.0, 2),
        revenue_truth_unpriced_eur=round(truth[1] or 0.0, 2),
        estimate_check_eur=(round(check[0] or 0.0, 2), round(check[1] or 0.0, 2)),
    )


#: The end-to-end evaluation's data: a seed no test uses, generated fresh on each evaluation.
EVAL_ROWS, EVAL_SEED = 20_000, 4242
#: "Now" for the job: after the generator's default last day (2026-11-22), so nothing is future.
EVAL_AS_OF = datetime(2026, 11, 25, tzinfo=UTC)


def end_to_end(
    workdir: Path,
    rows: int = EVAL_ROWS,
    seed: int = EVAL_SEED,
    *,
    weeks: int = 8,
    stores: int | None = None,
) -> TruthScore:
    """Generate `rows` records with planted demand under `workdir`, run the whole job on them (no
    report) and score its ledger against the planted truth: recovery, classification, revenue.
    The generator's note texts use words beyond the extractor's lexicons (issue 13), so this
    measures reading, not only linking."""
    from pipelines.generate import generate
    from pipelines.job import run_job

    inputs, data_root = workdir / "inputs", workdir / "data"
    generate(rows, seed, inputs, weeks=weeks, stores=stores)
    run_job(data_root, inputs, as_of=EVAL_AS_OF, render_report=False)
    con = warehouse.connect_read_only(data_root / "unmet.duckdb")
    try:
        return score(con, inputs / "truth")
    finally:
        con.close()


def render(result: TruthScore) -> str:
    """The score as aligned `name: value` lines, the derived rates last."""
    lines = [f"{key:>26}: {value}" for key, value in asdict(result).items()]
    lines.append(f"{'recovery':>26}: {result.recovery:.3f}")
    lines.append(f"{'classification_accuracy':>26}: {result.classification_accuracy:.3f}")
    lines.append(f"{'revenue_error':>26}: {result.revenue_error:.4f}")
    return "\n".join(lines)


def main(argv: list[str]) -> str:
    """`DB INPUTS` scores a finished job; `--end-to-end [ROWS [SEED]]` generates, runs, scores."""
    if argv and argv[0] == "--end-to-end":
        rows = int(argv[1]) if len(argv) > 1 else EVAL_ROWS
        seed = int(argv[2]) if len(argv) > 2 else EVAL_SEED
        with tempfile.TemporaryDirectory(prefix="unmet-e2e-") as folder:
            result = end_to_end(Path(folder), rows, seed)
        return f"end to end on {rows} generated records (seed {seed}):\n{render(result)}"
    con = warehouse.connect_read_only(Path(argv[0]))
    try:
        return render(score(con, Path(argv[1]) / "truth"))
    finally:
        con.close()


if __name__ == "__main__":
    print(main(sys.argv[1:]))
