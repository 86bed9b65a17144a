"""The expectation suites of the gate: one per dataset, built in code from the pydantic schemas plus
the business rules that no single record can show.

Pure Python: a suite is a list of `Rule`s (a Great Expectations expectation name, its arguments
and a readable sentence). `to_ge_suite` turns one into a `great_expectations.ExpectationSuite`;
only it imports Great Expectations (~3 s), so building and testing the rules stays fast.

Which datasets have a suite, their keys and the input model whose constraints carry over to
staging come from the dataset registry (schemas/datasets.py: every dataset of the staging, ledger
and mart layers). Derived from the models (schemas/staging.py, schemas/marts.py, schemas/raw.py),
read with schemas.rules:
- every field whose annotation does not admit None is never null;
- a staging field whose input field is an enumeration is in that enumeration's values;
- a staging field whose input field has numeric bounds (ge/le/gt/lt) or a regex stays in them;
- a field whose own type is an enumeration is in its values, and a field with its own numeric
  bounds stays in them (the ledger and the mart declare theirs on their models);
- every datetime column is not after the run's as-of, every date column not after its next day
  (a store's local date can run up to 14 hours ahead of UTC).
Business rules are listed per dataset in `BUSINESS_RULES`; columns starting with `chk_` are derived
by pipelines/checks/frames.py (traceability across tables, sums across columns).

The gate validates each dataset a chunk of rows at a time, so a rule must be row-local (`ROW_LOCAL`:
its verdict on a row depends on that row alone) to be checked chunk by chunk. The key rules are not
("is unique" needs every row): they read `chk_duplicate_*` columns, filled from the duplicated keys
that pipelines/checks/facts.py finds over the key columns of the whole dataset. Any other rule that
is not row-local (an aggregate, a `mostly`) is validated on a narrow frame of only its columns.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, StringConstraints

from schemas import datasets, enums, raw, rules

#: How many unexpected values a result keeps (validation.json and the failure summary).
PARTIAL_UNEXPECTED = 5

#: Columns that may hold personal data (free text, people's identifiers): a rule reading one never
#: shows the values it found, in validation.json or on the console; a failed one means a contact
#: detail may have slipped past the redactor (docs/privacy.md).
PERSONAL_COLUMNS = frozenset(
    {
        *(
            name
            for source in datasets.of_layer(datasets.Layer.RAW)
            for name in source.model.model_fields
            if raw.field_kind(source.model, name) == raw.FREE_TEXT
        ),
        "associate_id",
        "customer_ref",
        "chk_customer_ref_without_consent",
        "chk_customer_ref_withdrawn",
        "raw",
    }
)


@dataclass(frozen=True)
class Rule:
    """One expectation: the GE class name (e.g. ExpectColumnValuesToNotBeNull), its keyword
    arguments, and what it means in one readable sentence."""

    expectation: str
    kwargs: dict[str, Any]
    why: str

    @property
    def columns(self) -> tuple[str, ...]:
        names = [self.kwargs.get(k) for k in ("column", "column_A", "column_B")]
        names += list(self.kwargs.get("column_list", ()))
        return tuple(n for n in names if n)

    @property
    def personal(self) -> bool:
        """True if it reads a column that may hold personal data, or checks that a column holds
        identifiers: the values it finds are never shown."""
        return self.kwargs.get("regex") == raw.ID_PATTERN or any(
            c in PERSONAL_COLUMNS for c in self.columns
        )

    @property
    def row_local(self) -> bool:
        """True if its verdict on a row depends on that row alone: then validating the dataset a
        chunk at a time and summing the counts gives the verdict of validating it whole."""
        return self.expectation in ROW_LOCAL and self.kwargs.get("mostly", 1) == 1


#: Expectations whose verdict on a row depends on that row alone (GE map expectations that do not
#: compare rows with each other: not ExpectColumnValuesToBeUnique, ...Increasing and the like).
ROW_LOCAL = frozenset(
    {
        "ExpectColumnValuesToNotBeNull",
        "ExpectColumnValuesToBeNull",
        "ExpectColumnValuesToBeInSet",
        "ExpectColumnValuesToNotBeInSet",
        "ExpectColumnValuesToBeBetween",
        "ExpectColumnValuesToMatchRegex",
        "ExpectColumnValuesToNotMatchRegex",
        "ExpectColumnValueLengthsToBeBetween",
        "ExpectColumnPairValuesToBeEqual",
        "ExpectColumnPairValuesAToBeGreaterThanB",
        "ExpectMulticolumnSumToEqual",
    }
)


@dataclass(frozen=True)
class Suite:
    dataset: str  # the run folder (stg_*, demand_signals, ...) or "ingest_counts"
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return f"unmet.{self.dataset}"

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column a rule of this suite reads (the only ones loaded)."""
        seen: dict[str, None] = {}
        for rule in self.rules:
            seen.update(dict.fromkeys(rule.columns))
        return tuple(seen)


#: Dataset -> (model of its rows, key columns, input model whose constraints carry over): every
#: dataset the registry gates (schemas/datasets.py), in its order.
DATASETS: dict[str, tuple[type[BaseModel], tuple[str, ...], type[BaseModel] | None]] = {
    d.name: (d.model, d.keys, datasets.input_model(d)) for d in datasets.gated()
}

#: An e-mail address left in stored free text (the redactor should have caught it).
EMAIL_LEFT = r"[\w.+-]+@[\w-]+\.[\w.-]+"


def duplicate_column(keys: tuple[str, ...]) -> str:
    """The chk_ column holding a row's key where that key occurs more than once in the dataset."""
    return f"chk_duplicate_{keys[0]}" if len(keys) == 1 else "chk_duplicate_key"


def _null(column: str, why: str) -> Rule:
    return Rule("ExpectColumnValuesToBeNull", {"column": column}, why)


def _equal(a: str, b: str, why: str) -> Rule:
    return Rule("ExpectColumnPairValuesToBeEqual", {"column_A": a, "column_B": b}, why)


def _in_set(column: str, values: list[str]) -> Rule:
    return Rule(
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": values},
        f"{column} is one of {', '.join(values)}",
    )


def _between(column: str, bounds: rules.Bounds, why: str | None = None) -> Rule:
    """A column stays within `bounds` (GE's kwargs as floats, strict where the model says gt/lt)."""
    kwargs: dict[str, Any] = {"column": column}
    if bounds.low is not None:
        kwargs["min_value"] = float(bounds.low)
        if bounds.strict_low:
            kwargs["strict_min"] = True
    if bounds.high is not None:
        kwargs["max_value"] = float(bounds.high)
        if bounds.strict_high:
            kwargs["strict_max"] = True
    return Rule(
        "ExpectColumnValuesToBeBetween", kwargs, why or f"{column} is {_range_text(bounds)}"
    )


def _at_most(column: str, limit: str, why: str) -> Rule:
    """`column` never exceeds `limit` on a row."""
    return Rule(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": limit, "column_B": column, "or_equal": True},
        why,
    )


def _by_class_rule() -> Rule:
    return _equal(
        "events",
        "chk_events_by_class",
        "events = stockout + not_carried + substituted + unknown events",
    )


def _iso_week_rule() -> Rule:
    return _equal("iso_week", "chk_iso_week", "iso_week is the ISO week of event_date")


#: Rules across columns and tables, per dataset (chk_* columns come from frames.py).
BUSINESS_RULES: dict[str, tuple[Rule, ...]] = {
    "stg_frontline_notes": (
        _null(
            "chk_customer_ref_without_consent",
            "customer_ref is kept only where customer_consent is true",
        ),
        _null(
            "chk_customer_ref_withdrawn",
            "no customer_ref is kept on a note captured at or before that customer's latest "
            "consent withdrawal",
        ),
        Rule(
            "ExpectColumnValuesToNotMatchRegex",
            {"column": "text", "regex": EMAIL_LEFT},
            "no e-mail address is left in note text",
        ),
        _iso_week_rule(),
    ),
    "stg_oos_lookups": (_iso_week_rule(),),
    "stg_lost_sales": (
        Rule(
            "ExpectColumnValuesToNotMatchRegex",
            {"column": "description", "regex": EMAIL_LEFT},
            "no e-mail address is left in lost-sale descriptions",
        ),
        _iso_week_rule(),
    ),
    "demand_signals": (
        _null(
            "chk_untraced_record_id",
            "every signal's record_id exists in the staging table of its source",
        ),
        _null("chk_unknown_event_id", "every signal's event_id exists in demand_events"),
        _iso_week_rule(),
    ),
    "demand_events": (
        _null("chk_untraced_event_id", "every event_id appears in demand_signals"),
        _equal("n_signals", "chk_n_by_source", "n_signals = n_notes + n_lookups + n_lost_sales"),
        _equal("n_signals", "chk_n_linked", "n_signals = the signals that name this event"),
        Rule(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "last_at", "column_B": "first_at", "or_equal": True},
            "last_at is not before first_at",
        ),
        _iso_week_rule(),
    ),
    "mart_unmet_demand": (
        _in_set("chk_color_value", enums.values(enums.ColorFamily)),
        _in_set("chk_pattern_value", enums.values(enums.Pattern)),
        _by_class_rule(),
        _at_most("customers", "events", "customers never exceed events"),
        _null(
            "chk_untraced_store_row",
            "every store-level row's week, store and category has demand_events",
        ),
        _null(
            "chk_total_mismatch",
            "each total row equals the ledger's events, lost and estimated revenue for its week, "
            "level, store and category",
        ),
    ),
    # The report marts (their SQL in pipelines/reports/sql/): what each row's columns promise of
    # each other.
    "mart_weekly_headline": (
        _equal("iso_week", "chk_iso_week", "iso_week is the ISO week of week_start_date"),
        _by_class_rule(),
        _at_most("customers", "events", "customers never exceed events"),
        _at_most("events", "signals", "events never exceed the signals linked into them"),
    ),
    "mart_store_capture": (
        _at_most("noted_events", "events", "noted_events never exceed events"),
        _at_most("not_carried_events", "events", "not_carried_events never exceed events"),
    ),
    "mart_not_carried": (
        _at_most("customers", "events", "customers never exceed events"),
        _at_most("stores", "events", "stores never exceed events"),
    ),
    "ingest_counts": (
        Rule("ExpectColumnValuesToNotBeNull", {"column": "source"}, "source is named"),
        _equal("read", "chk_accounted", "records read = accepted + quarantined, per source"),
    ),
}


def admits_none(model: type[BaseModel], name: str) -> bool:
    return rules.unwrap(model.model_fields[name].annotation)[1]


def not_null_fields(model: type[BaseModel]) -> list[str]:
    """Fields whose annotation does not admit None, in declaration order."""
    return [name for name in model.model_fields if not admits_none(model, name)]


def input_rules(staging: type[BaseModel], source: type[BaseModel]) -> list[Rule]:
    """Enumerations, numeric bounds and regexes of the input model, for the staging columns that
    carry an input field of the same name."""
    found = []
    for name in source.model_fields:
        if name not in staging.model_fields:
            continue
        metadata = rules.metadata(source, name)
        values = rules.allowed_values(source, name)
        if values is not None:
            found.append(_in_set(name, values))
        if any(item is raw.IDENTIFIER for item in metadata):
            found.append(
                Rule(
                    "ExpectColumnValuesToMatchRegex",
                    {"column": name, "regex": raw.ID_PATTERN},
                    f"{name} is an identifier (letters, digits and - _ . : /)",
                )
            )
        bounds = rules.bounds_in(metadata)
        if bounds is not None:
            found.append(_between(name, bounds))
        for item in metadata:
            if isinstance(item, StringConstraints) and item.pattern:
                found.append(
                    Rule(
                        "ExpectColumnValuesToMatchRegex",
                        {"column": name, "regex": item.pattern},
                        f"{name} matches {item.pattern}",
                    )
                )
    return found


def model_rules(model: type[BaseModel]) -> list[Rule]:
    """The model's own constraints: each enumeration-typed field is in its values, then each field
    with numeric bounds (`Field(ge=..., le=...)`) stays in them (said in the field's `Why`, if it
    has one), in declaration order."""
    sets = [
        _in_set(name, values)
        for name in model.model_fields
        if (values := rules.allowed_values(model, name)) is not None
    ]
    ranges = [
        _between(name, bounds, rules.why(model, name))
        for name in model.model_fields
        if (bounds := rules.bounds(model, name)) is not None
    ]
    return sets + ranges


def _range_text(bounds: rules.Bounds) -> str:
    def fmt(v: float) -> str:
        return f"{int(v):,}" if float(v).is_integer() else f"{v:,}"

    low = None if bounds.low is None else ("> " if bounds.strict_low else ">= ") + fmt(bounds.low)
    high = (
        None if bounds.high is None else ("< " if bounds.strict_high else "<= ") + fmt(bounds.high)
    )
    if low is not None and high is not None and not (bounds.strict_low or bounds.strict_high):
        return f"between {fmt(bounds.low)} and {fmt(bounds.high)}"  # type: ignore[arg-type]
    return " and ".join(text for text in (low, high) if text is not None)


def time_rules(model: type[BaseModel], as_of: datetime) -> list[Rule]:
    """No timestamp after the run's as-of; no local date after the as-of's next day."""
    as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    as_of = as_of.astimezone(UTC)
    latest_day = as_of.date() + timedelta(days=1)
    found = []
    for name, info in model.model_fields.items():
        inner, _, _ = rules.unwrap(info.annotation)
        if inner is datetime:
            found.append(
                Rule(
                    "ExpectColumnValuesToBeBetween",
                    {"column": name, "max_value": as_of},
                    f"{name} is not after the run's as-of {as_of.isoformat()}",
                )
            )
        elif inner is date:
            found.append(
                Rule(
                    "ExpectColumnValuesToBeBetween",
                    {"column": name, "max_value": latest_day},
                    f"{name} is not after {latest_day} (as-of date + 1 day)",
                )
            )
    return found


def dataset_suite(dataset: str, as_of: datetime) -> Suite:
    model, keys, source = DATASETS[dataset]
    # The key's uniqueness needs every row at once: facts.py finds the duplicated keys over the key
    # columns alone, and every row whose key occurs more than once has it in chk_duplicate_*.
    unique = f"{keys[0]} is unique" if len(keys) == 1 else f"({', '.join(keys)}) is unique"
    found: list[Rule] = [_null(duplicate_column(keys), unique)]
    for name in not_null_fields(model):
        found.append(
            Rule("ExpectColumnValuesToNotBeNull", {"column": name}, f"{name} is never null")
        )
    if source is not None:
        found.extend(input_rules(model, source))
    found.extend(model_rules(model))
    found.extend(time_rules(model, as_of))
    found.extend(BUSINESS_RULES.get(dataset, ()))
    return Suite(dataset, tuple(found))


def build_suites(as_of: datetime) -> list[Suite]:
    """Every suite of the gate, in the order they run."""
    return [dataset_suite(name, as_of) for name in DATASETS] + [
        Suite("ingest_counts", BUSINESS_RULES["ingest_counts"])
    ]


def to_ge_suite(suite: Suite, only: Collection[int] | None = None):  # type: ignore[no-untyped-def]
    """The Great Expectations suite of `suite`, or of its rules numbered `only` (each keeps its
    number in meta["rule"]); imports great_expectations: ~3 s the first time."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    chosen = range(len(suite.rules)) if only is None else sorted(only)
    expectations = [
        getattr(gxe, suite.rules[index].expectation)(
            **suite.rules[index].kwargs, meta={"rule": index, "why": suite.rules[index].why}
        )
        for index in chosen
    ]
    # Passed to the constructor rather than add_expectation one by one: that compares each new
    # expectation with every one already added (quadratic), and silently drops a repeated one.
    ge_suite = gx.ExpectationSuite(name=suite.name, expectations=expectations)
    if len(ge_suite.expectations) != len(chosen):
        raise ValueError(f"{suite.name}: not every rule became an expectation")
    return ge_suite
