"""The fast path of the ingest: validate the plain records of a file a column at a time with Arrow.

The exact path (readers + pydantic, one record at a time) is the definition of what is accepted.
This module only takes the records it can prove that path would accept, with the same values, and
hands every other record back to it: a CSV row with a quote, a JSON line with a backslash escape or
a null where a value has a default, whitespace at the edges of a field, a number or timestamp in
any but the plainest form, an unknown store or sku, a time in the future. A file it cannot map
line for line (not UTF-8, blank or multi-line records, a header that is not exactly the expected
columns, a JSON line that does not start with `{`, a JSON value of another type, an unexpected or
repeated field, a parse error) goes wholly to the exact path.

Per record, only what has no column form stays in Python: redaction of free text and, for notes,
attribute extraction (`validate.note_text_fields`, the same function the exact path calls).

The rules it checks are read from the input models (schemas/raw.py) with schemas.rules: the allowed
values of an enumeration, the bounds of a number (`Field(ge=1, le=1000)`) and the digits a price may
have, so a bound changed on the model changes both paths.

tests/ingest/test_fast.py runs both paths over the hostile corpus and the sample and checks that
they give identical staging rows and rejects.
"""

from __future__ import annotations

import contextlib
import gc
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
from pydantic import BaseModel

from pipelines.extract import EXTRACTOR_VERSION
from pipelines.ingest import readers
from pipelines.ingest.redact import ID_MAYBE_CONTACT, redact
from pipelines.ingest.validate import Reference, note_text_fields
from schemas import rules
from schemas.arrow import arrow_schema
from schemas.datasets import dataset
from schemas.raw import EARLIEST_TIME, ID_PATTERN, MAX_TEXT_CHARS
from schemas.staging import StgFrontlineNote

#: An id that might be a phone, card or IBAN: left to the exact path, which refuses it if it is one.
_CONTACT_LIKE = ID_MAYBE_CONTACT.pattern
_TIMESTAMP = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-](0\d|1\d|2[0-3]):[0-5]\d)$"
#: Most integer digits a number may have on the fast path when its model sets no upper bound (an
#: int64 holds 18 digits).
_MAX_DIGITS = 18
#: Every character Python's str.strip() removes: a field starting or ending with one is left to
#: pydantic (which strips it).
_SPACE = "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x110000)) if c.isspace())
_EDGE_SPACE = f"^[{_SPACE}]|[{_SPACE}]$"
#: Where each part of a time sits in "YYYY-MM-DDTHH:MM:SS".
_TIME_PARTS = {"year": (0, 4), "month": (5, 7), "day": (8, 10), "hour": (11, 13),
               "minute": (14, 16), "second": (17, 19)}  # fmt: skip


@dataclass(frozen=True)
class FastResult:
    table: pa.Table  # staging rows proven valid, in the staging schema's column order
    slow: list[readers.RawRecord]  # every other record, for the exact path
    read: int  # records in the file (fast + slow)


class _Rows:
    """The string columns of a file, the input model of its records (whose constraints each check
    reads) and a running mask of the rows still on the fast path."""

    def __init__(self, table: pa.Table, model: type[BaseModel]) -> None:
        self.table = table
        self.model = model
        self.ok = pa.array([True] * table.num_rows)

    def col(self, name: str) -> pa.Array:
        return self.table.column(name).combine_chunks()

    def require(self, condition: pa.Array) -> None:
        self.ok = pc.and_(self.ok, pc.fill_null(condition, False))

    def _plain_id(self, name: str, values_: pa.Array) -> pa.Array:
        """An identifier as the plainest input writes it: ID_PATTERN, at most the model's length."""
        plain = pc.match_substring_regex(values_, ID_PATTERN)
        longest = rules.max_length(self.model, name)
        if longest is None:
            return plain
        return pc.and_(plain, pc.less_equal(pc.utf8_length(values_), longest))

    def id(self, name: str, known: frozenset[str] | None = None) -> pa.Array:
        values_ = self.col(name)
        self.require(self._plain_id(name, values_))
        self.require(pc.invert(pc.match_substring_regex(values_, _CONTACT_LIKE)))
        if known is not None:
            self.require(pc.is_in(values_, value_set=pa.array(sorted(known), pa.string())))
        return values_

    def required(self, name: str) -> None:
        self.require(pc.is_valid(self.col(name)))

    def optional_id(self, name: str, known: frozenset[str] | None = None) -> pa.Array:
        values_ = self.col(name)
        blank = pc.fill_null(pc.equal(values_, ""), True)
        ok = pc.and_(
            self._plain_id(name, values_),
            pc.invert(pc.match_substring_regex(values_, _CONTACT_LIKE)),
        )
        if known is not None:
            ok = pc.and_(ok, pc.is_in(values_, value_set=pa.array(sorted(known), pa.string())))
        self.require(pc.or_kleene(blank, ok))
        return pc.if_else(blank, None, values_)

    def one_of(self, name: str, allowed: list[str]) -> pa.Array:
        values_ = self.col(name)
        self.require(pc.is_in(values_, value_set=pa.array(allowed, pa.string())))
        return values_

    def member(self, name: str) -> pa.Array:
        """A field whose type on the model is an enumeration: one of its values."""
        allowed = rules.allowed_values(self.model, name)
        if allowed is None:
            raise TypeError(f"{self.model.__name__}.{name} is not an enumeration")
        return self.one_of(name, sorted(allowed))

    def within(self, name: str, number: pa.Array) -> None:
        """Require `number` to be within the bounds the model declares for `name`."""
        found = rules.bounds(self.model, name) or rules.Bounds()
        if found.low is not None:
            low = pc.greater if found.strict_low else pc.greater_equal
            self.require(low(number, found.low))
        if found.high is not None:
            high = pc.less if found.strict_high else pc.less_equal
            self.require(high(number, found.high))

    def integer(self, name: str) -> pa.Array:
        """A whole number written plainly (no sign, no leading zero, at most the digits of the
        model's upper bound), within the model's bounds for `name`."""
        values_ = self.col(name)
        digits = _digits(self.model, name)
        plain = pc.match_substring_regex(values_, rf"^(0|[1-9]\d{{0,{digits - 1}}})$")
        self.require(plain)
        number = pc.cast(pc.if_else(plain, values_, "0"), pa.int64())
        self.within(name, number)
        return number

    def price(self, name: str) -> pa.Array:
        """An optional decimal written plainly, with at most the model's decimal places, within
        the model's bounds for `name`."""
        values_ = self.col(name)
        blank = pc.equal(values_, "")
        places = rules.decimal_places(self.model, name) or 0
        fraction = rf"(\.\d{{1,{places}}})?" if places else ""
        pattern = rf"^(0|[1-9]\d{{0,{_digits(self.model, name) - 1}}}){fraction}$"
        plain = pc.match_substring_regex(values_, pattern)
        self.require(pc.or_kleene(blank, plain))
        number = pc.cast(pc.if_else(plain, values_, "0"), pa.float64())
        self.within(name, number)
        return pc.if_else(plain, number, None)

    def text(self, name: str) -> pa.Array:
        values_ = self.col(name)
        blank = pc.fill_null(pc.equal(values_, ""), True)
        plain = pc.and_(
            pc.invert(pc.match_substring_regex(values_, _EDGE_SPACE)),
            pc.less_equal(pc.utf8_length(values_), MAX_TEXT_CHARS),
        )
        self.require(pc.or_kleene(blank, plain))
        return pc.if_else(blank, None, values_)

    def timestamp(self, name: str, ref: Reference) -> dict[str, pa.Array]:
        """The UTC time, local date and ISO week of an RFC 3339 timestamp with an offset. Only a
        time written with its store's own offset (the time as written is the time in the
        store's zone, `ref.zones`) stays here; one written with another offset (UTC from a web
        system) takes the exact path, which dates it in the store's zone."""
        as_of = ref.as_of
        values_ = self.col(name)
        plain = pc.match_substring_regex(values_, _TIMESTAMP)
        self.require(plain)
        text = pc.if_else(plain, values_, "2000-01-01T00:00:00Z")
        local_text = pc.utf8_slice_codeunits(text, 0, 19)
        local = pc.strptime(local_text, format="%Y-%m-%dT%H:%M:%S", unit="us", error_is_null=True)
        # pc.strptime accepts 2026-02-30 as March 2: only a time whose parts read back as written
        # is kept (as a round trip through strftime would, at a fifth of its cost). Years before
        # 1000 are left to the exact path.
        for part, (start, end) in _TIME_PARTS.items():
            written = pc.cast(pc.utf8_slice_codeunits(local_text, start, end), pa.int64())
            self.require(pc.equal(getattr(pc, part)(local), written))
        self.require(pc.greater_equal(pc.year(local), 1000))
        local = pc.fill_null(local, pa.scalar(0, pa.timestamp("us")))
        zone = pc.utf8_slice_codeunits(text, 19, 25)
        utc_zone = pc.equal(zone, "Z")
        hours = pc.cast(pc.if_else(utc_zone, "0", pc.utf8_slice_codeunits(zone, 1, 3)), pa.int64())
        minutes = pc.cast(
            pc.if_else(utc_zone, "0", pc.utf8_slice_codeunits(zone, 4, 6)), pa.int64()
        )
        sign = pc.if_else(pc.equal(pc.utf8_slice_codeunits(zone, 0, 1), "-"), -1, 1)
        offset_us = pc.multiply(
            pc.multiply(sign, pc.add(pc.multiply(hours, 60), minutes)), 60_000_000
        )
        utc = pc.cast(
            pc.subtract(pc.cast(local, pa.int64()), offset_us), pa.timestamp("us", tz="UTC")
        )
        self.require(pc.less_equal(utc, pa.scalar(as_of, pa.timestamp("us", tz="UTC"))))
        self.require(pc.greater_equal(utc, pa.scalar(EARLIEST_TIME, pa.timestamp("us", tz="UTC"))))
        if ref.zones:
            stores = self.col("store_id")
            zoned = pa.array(sorted(ref.zones), pa.string())
            in_zone = pc.invert(pc.is_in(stores, value_set=zoned))  # no zone: the offset decides
            for zone in sorted(set(ref.zones.values())):
                ids = sorted(store for store, z in ref.zones.items() if z == zone)
                wall = pc.local_timestamp(pc.cast(utc, pa.timestamp("us", tz=zone)))
                here = pc.and_(pc.is_in(stores, value_set=pa.array(ids, pa.string())),
                               pc.equal(wall, local))  # fmt: skip
                in_zone = pc.or_(in_zone, pc.fill_null(here, False))
            self.require(in_zone)
        week = pc.utf8_lpad(pc.cast(pc.iso_week(local), pa.string()), 2, "0")
        return {
            "utc": utc,
            "event_date": pc.cast(local, pa.date32()),
            "iso_week": pc.binary_join_element_wise(
                pc.utf8_lpad(pc.cast(pc.iso_year(local), pa.string()), 4, "0"), week, "-W"
            ),
        }


def _digits(model: type[BaseModel], name: str) -> int:
    """The most integer digits a plain number of `model.name` may have on the fast path: those of
    its upper bound, fewer if its max_digits and decimal_places say so."""
    found = rules.bounds(model, name)
    digits = len(str(int(found.high))) if found and found.high is not None else _MAX_DIGITS
    total, places = rules.max_digits(model, name), rules.decimal_places(model, name)
    if total is not None:
        digits = min(digits, total - (places or 0))
    return max(1, min(digits, _MAX_DIGITS))


def _lookups(rows: _Rows, ref: Reference) -> dict[str, pa.Array]:
    when = rows.timestamp("looked_up_at", ref)
    return {
        "lookup_id": rows.id("lookup_id"),
        "store_id": rows.id("store_id", ref.stores),
        "channel": rows.member("channel"),
        "sku": rows.id("sku", ref.skus),
        "looked_up_at": when["utc"],
        "event_date": when["event_date"],
        "iso_week": when["iso_week"],
        "result": rows.member("result"),
        "on_hand_qty": rows.integer("on_hand_qty"),
    }


def _lost_sales(rows: _Rows, ref: Reference) -> dict[str, pa.Array]:
    when = rows.timestamp("occurred_at", ref)
    return {
        "sale_id": rows.id("sale_id"),
        "store_id": rows.id("store_id", ref.stores),
        "sku": rows.optional_id("sku", ref.skus),
        "reason_code": rows.member("reason_code"),
        "quantity": rows.integer("quantity"),
        "unit_price": rows.price("unit_price"),
        "currency": rows.member("currency"),
        "occurred_at": when["utc"],
        "event_date": when["event_date"],
        "iso_week": when["iso_week"],
        "substitute_sku": rows.optional_id("substitute_sku", ref.skus),
        "description": rows.text("description"),
    }


def _notes(rows: _Rows, ref: Reference) -> dict[str, pa.Array]:
    when = rows.timestamp("captured_at", ref)
    # A null consent is an error and a missing one means False; Arrow reads both as null, so
    # both take the exact path.
    rows.required("customer_consent")
    consent = rows.col("customer_consent")
    text = rows.text("text")
    rows.require(pc.is_valid(text))  # a blank note is refused by the exact path
    customer = rows.optional_id("customer_ref")
    if ref.withdrawn:  # a customer who withdrew consent: the exact path decides (validate.py)
        withdrawn = pa.array(sorted(ref.withdrawn), pa.string())
        rows.require(pc.invert(pc.is_in(rows.col("customer_ref"), value_set=withdrawn)))
    return {
        "note_id": rows.id("note_id"),
        "store_id": rows.id("store_id", ref.stores),
        "channel": rows.member("channel"),
        "associate_id": rows.optional_id("associate_id"),
        "captured_at": when["utc"],
        "event_date": when["event_date"],
        "iso_week": when["iso_week"],
        "text": text,
        "sku": rows.optional_id("sku", ref.skus),
        "customer_ref": pc.if_else(pc.fill_null(consent, False), customer, None),
        "customer_consent": consent,
        "customer_named": pc.is_valid(customer),
    }


#: Notes redacted and extracted at a time: bounds the Python objects alive at once.
_NOTES_CHUNK = 20_000
_TEXT_FIELDS = ("text", "redactions", "demand_expressed", "category", "demanded", "rejected_colors")
_NOTE_TYPES = arrow_schema(StgFrontlineNote, described=False)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector: extraction makes millions of short-lived objects without
    cycles (freed by reference counting), and each collection would walk the worker's whole heap.
    Measured ~10% of extraction time. Whatever the block leaves is collected once it is resumed."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _extract_notes(table: pa.Table) -> pa.Table:
    """Redact and extract each accepted note's text: one Python call per distinct text of the file
    (the fields depend on the text alone; ~20% of the generated notes repeat an earlier text)."""
    encoded = pc.dictionary_encode(table.column("text").combine_chunks(), null_encoding="encode")
    distinct = encoded.dictionary
    columns: dict[str, list[pa.Array]] = {name: [] for name in _TEXT_FIELDS}
    for start in range(0, len(distinct), _NOTES_CHUNK):
        with _collector_paused():
            chunk = distinct.slice(start, _NOTES_CHUNK).to_pylist()
            derived = [note_text_fields(t) for t in chunk]
        for name in _TEXT_FIELDS:
            columns[name].append(pa.array([d[name] for d in derived], _NOTE_TYPES.field(name).type))
    table = table.drop_columns(["text"])
    for name in _TEXT_FIELDS:
        values_ = pa.chunked_array(columns[name], _NOTE_TYPES.field(name).type)
        table = table.append_column(name, values_.take(encoded.indices))
    version = pa.repeat(pa.scalar(EXTRACTOR_VERSION, pa.string()), table.num_rows)
    return table.append_column("extractor_version", version)


def _redact_descriptions(table: pa.Table) -> pa.Table:
    """Redact the free text that survives (one Python call per non-empty description)."""
    texts, counts = [], []
    for text in table.column("description").to_pylist():
        redacted, n = redact(text) if text else (None, 0)
        texts.append(redacted)
        counts.append(n)
    table = table.set_column(
        table.schema.get_field_index("description"), "description", pa.array(texts, pa.string())
    )
    return table.append_column("redactions", pa.array(counts, pa.int64()))


#: Sources with a fast path: the columns builder and what to do to the accepted rows after.
COLUMNS: dict[str, tuple[Callable[[_Rows, Reference], dict[str, pa.Array]], Callable | None]] = {
    "oos_lookups": (_lookups, None),
    "lost_sales": (_lost_sales, _redact_descriptions),
    "frontline_notes": (_notes, _extract_notes),
}


def _lines(data: bytes) -> list[bytes] | None:
    """The file's physical lines, or None when its line structure is not plain `\\n`/`\\r\\n`."""
    if b"\r" in data.replace(b"\r\n", b""):
        return None
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [line.removesuffix(b"\r") for line in lines]


def parse_csv(
    source: str, data: bytes, columns: tuple[str, ...], ref: Reference, schema: pa.Schema
) -> FastResult | None:
    """The rows of one CSV file the fast path accepts, and the records it leaves to the exact
    path; None if the whole file must take the exact path."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    lines = _lines(data)
    if not lines or len(lines) < 2:
        return None
    try:
        data.decode("utf-8")
        table = pacsv.read_csv(
            io.BytesIO(data),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (UnicodeDecodeError, pa.ArrowInvalid):
        return None
    if table.column_names != list(columns) or table.num_rows != len(lines) - 1:
        return None
    header = lines[0].decode("utf-8") + "\n"

    def slow(line: bytes) -> readers.RawRecord:
        (record,) = readers.read_csv([header, line.decode("utf-8")], columns)
        return record

    return _finish(source, table, lines[1:], 2, b'"', slow, ref, schema)


def parse_jsonl(
    source: str, data: bytes, columns: tuple[str, ...], ref: Reference, schema: pa.Schema
) -> FastResult | None:
    """The records of one JSON Lines file the fast path accepts, and those it leaves to the exact
    path; None if the whole file must take the exact path."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    lines = _lines(data)
    # Only lines that open an object go to pyarrow: besides, pyarrow 25.0.1's JSON reader crashes
    # the process (segmentation fault) on data whose first value is `null` (found by
    # tests/ingest/test_fuzz.py; a notes file starting with a `null` line stopped `unmet run`
    # with exit 139).
    if not lines or any(not line.startswith(b"{") for line in lines):
        return None
    try:
        data.decode("utf-8")
        table = pajson.read_json(
            io.BytesIO(data),
            parse_options=pajson.ParseOptions(
                explicit_schema=pa.schema(
                    [(c, pa.bool_() if c == "customer_consent" else pa.string()) for c in columns]
                ),
                unexpected_field_behavior="error",
                newlines_in_values=False,
            ),
        )
    except (UnicodeDecodeError, pa.ArrowInvalid):
        return None
    if table.num_rows != len(lines):
        return None
    table = table.select(list(columns))

    def slow(line: bytes) -> readers.RawRecord:
        (record,) = readers.read_jsonl([line.decode("utf-8")])
        return record

    return _finish(source, table, lines, 1, b"\\", slow, ref, schema)


def _finish(
    source: str,
    table: pa.Table,
    lines: list[bytes],
    first_line: int,
    escape: bytes,
    slow: Callable[[bytes], readers.RawRecord],
    ref: Reference,
    schema: pa.Schema,
) -> FastResult:
    """Validate the columns; records of lines holding `escape` (a quote, a backslash) go slow."""
    rows = _Rows(table, dataset(source).model)
    build, after = COLUMNS[source]
    built = build(rows, ref)
    rows.require(pc.invert(pa.array([escape in line for line in lines])))
    ok = rows.ok
    line_numbers = pa.array(range(first_line, first_line + len(lines)), pa.int64())
    accepted = pa.table({**built, "source_line": line_numbers}).filter(ok)
    if after is not None:
        accepted = after(accepted)
    slow_records = []
    for index in pc.indices_nonzero(pc.invert(ok)).to_pylist():
        record = slow(lines[index])
        slow_records.append(
            readers.RawRecord(index + first_line, record.raw, record.fields, record.error)
        )
    names = [f.name for f in schema if f.name != "source_file"]
    return FastResult(accepted.select(names), slow_records, table.num_rows)


def parse(
    source: str, fmt: str, data: bytes, columns: tuple[str, ...], ref: Reference, schema: pa.Schema
) -> FastResult | None:
    """The fast path for one file of `source`, or None if the whole file takes the exact path."""
    if source not in COLUMNS:
        return None
    reader = parse_csv if fmt == "csv" else parse_jsonl
    return reader(source, data, columns, ref, schema)
