"""The analysts' docs keep up with the database: every view and column is in the data dictionary,
and every saved query in docs/queries.md runs."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from pipelines.reports import dictionary, glossary

DOCS = Path(__file__).parents[2] / "docs"
QUERIES = re.findall(r"```sql\n(.*?)```", (DOCS / "queries.md").read_text(), re.S)


def documented(text: str) -> dict[str, dict[str, str]]:
    """view -> {column: meaning} from the markdown of docs/data-dictionary.md."""
    out: dict[str, dict[str, str]] = {}
    view = None
    for line in text.splitlines():
        if m := re.match(r"^### `(\w+)`", line):
            view = out.setdefault(m.group(1), {})
        elif view is not None and (m := re.match(r"^\| `(\w+)` \| [^|]+ \| (.*) \|$", line)):
            view[m.group(1)] = m.group(2).strip()
    return out


def test_data_dictionary_names_every_column_of_every_view(golden_con: duckdb.DuckDBPyConnection):
    doc = documented((DOCS / "data-dictionary.md").read_text())
    live = dictionary.columns(golden_con)
    missing = [f"{v}.{c}" for v, cols in live.items() for c, _ in cols if c not in doc.get(v, {})]
    assert missing == [], "run: python -m pipelines.reports.dictionary (then commit the file)"
    empty = [f"{v}.{c}" for v, cols in doc.items() for c, text in cols.items() if not text]
    assert empty == []


def test_dictionary_render_gives_every_column_a_meaning(golden_con: duckdb.DuckDBPyConnection):
    doc = documented(dictionary.render(golden_con))
    assert [f"{v}.{c}" for v, cols in doc.items() for c, t in cols.items() if not t] == []


def test_every_report_column_has_a_glossary_entry(golden_con: duckdb.DuckDBPyConnection):
    from pipelines.warehouse import report_models

    live = dictionary.columns(golden_con)
    columns = {c for name, _ in report_models() for c, _ in live[name]}
    assert sorted(columns - set(glossary.GLOSSARY)) == []


def test_there_are_enough_saved_queries():
    assert len(QUERIES) >= 8


@pytest.mark.parametrize("sql", QUERIES, ids=[f"q{i + 1}" for i in range(len(QUERIES))])
def test_saved_query_runs(golden_con: duckdb.DuckDBPyConnection, sql: str):
    golden_con.execute(sql).fetchall()
