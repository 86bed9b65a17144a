"""The analysts' docs keep up with the database: every view and column is in the data dictionary,
and every saved query in docs/queries.md runs."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from pipelines import warehouse
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


def descriptions(text: str) -> dict[str, str]:
    """view -> the paragraph under its heading in docs/data-dictionary.md."""
    found = re.findall(r"^### `(\w+)`\n\n(.*?)\n\n\| column", text, re.M | re.S)
    return {view: " ".join(paragraph.split()) for view, paragraph in found}


def test_every_view_is_described_mart_views_included(golden_con: duckdb.DuckDBPyConnection):
    text = (DOCS / "data-dictionary.md").read_text()
    described = descriptions(text)
    headings = re.findall(r"^### `(\w+)`", text, re.M)
    assert sorted(v for v in headings if not described.get(v)) == []
    assert sorted(v for v in dictionary.columns(golden_con) if not described.get(v)) == []
    # the exported marts (not in the golden database: a run writes them) say what they are
    for mart, model in warehouse.EXPORTED_MARTS.items():
        assert f"The `{model}` report model" in described[mart]


def test_what_the_dictionary_says_of_not_stated_values_is_what_the_views_hold(
    golden_con: duckdb.DuckDBPyConnection,
):
    """A column documented as '-' when not stated holds no NULL, one documented as NULL holds no
    '-' (the issue: the dictionary said '-' where the tables hold NULL)."""
    doc = documented((DOCS / "data-dictionary.md").read_text())
    live = dictionary.columns(golden_con)  # the exported marts are checked through their models
    checked = []
    for view, cols in ((v, c) for v, c in doc.items() if v in live):
        for column, text in cols.items():
            if "'-' when" in text:
                wrong = f"{column} is null"
            elif "NULL when" in text:
                wrong = f"{column} = '-'"
            else:
                continue
            rows, bad = golden_con.execute(
                f"select count(*), count(*) filter (where {wrong}) from {view}"
            ).fetchone()
            checked.append((view, column, rows))
            assert bad == 0, f"{view}.{column}: {bad} rows where {wrong}"
    assert len(checked) >= 20 and sum(rows for *_, rows in checked) > 0


def test_unknown_events_have_one_definition_that_covers_both_kinds(
    golden_con: duckdb.DuckDBPyConnection,
):
    """docs/metrics.md, rows 3 and 6: an unknown event names no item, or names an item the
    catalog carries with nothing saying it was unavailable. Every view with the column says the
    glossary's sentence, and the committed dictionary too."""
    text = glossary.definition("unknown_events")
    assert "neither a sku nor a category" in text and "carries it" in text
    live = dictionary.columns(golden_con)
    views = [v for v, cols in live.items() if "unknown_events" in dict(cols)]
    assert "rpt_weekly_headline" in views and "mart_unmet_demand" in views
    views.append("mart_weekly_headline")  # exported by a run, not in the golden database
    assert {dictionary.meaning(v, "unknown_events") for v in views} == {text}
    doc = documented((DOCS / "data-dictionary.md").read_text())
    said = {cols["unknown_events"] for cols in doc.values() if "unknown_events" in cols}
    assert said == {text}
