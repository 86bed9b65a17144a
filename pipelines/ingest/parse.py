"""Parse one input file: every record becomes a staging row or a reject with its reason.

No Beam: `ParseFileFn` in transforms.py parses a file a batch at a time (`FileParse`) and writes
what each batch gives; tests/ingest/test_fast.py calls `parse_file` with and without the fast path.
"""

from __future__ import annotations

import io as stdio
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.ingest import batches, fast, file, readers, tables
from pipelines.ingest.names import (  # noqa: F401 (shown_path, displayable: used from here)
    displayable,
    shown_folder,
    shown_path,
)
from pipelines.ingest.redact import redact_raw, scrub, scrub_message
from pipelines.ingest.sources import SourceSpec
from pipelines.ingest.validate import Reference, Refused, consent_withdrawn

log = logging.getLogger("unmet.ingest")


@dataclass(frozen=True)
class ParsedFile:
    """What one file (or one batch of it) gave: accepted rows (staging schema without descriptions,
    in file order), rejects, and the file's statistics (a FileStat dict; None for a batch)."""

    rows: pa.Table
    rejects: pa.Table
    stat: dict[str, Any] | None


def relative_name(path: str, inputs_root: str) -> str:
    """The file's path relative to the inputs root, so outputs don't depend on where inputs live."""
    root = inputs_root.rstrip("/") + "/"
    return shown_path(path[len(root) :] if path.startswith(root) else path)


#: How a path that Beam's string coders cannot carry travels in a pipeline's elements.
_FS_BYTES = "fs-bytes:"


def portable(path: str) -> str:
    """`path` as an element Beam can encode: a local file name that is not UTF-8 (a Latin-1 "é"
    written by another system; Python holds its bytes as lone surrogates) travels as the hex of
    its bytes. `local_path` turns it back into the name the file system knows."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return _FS_BYTES + os.fsencode(path).hex()
    return path


def local_path(element: str) -> str:
    """The path a `portable` element stands for."""
    if element.startswith(_FS_BYTES):
        return os.fsdecode(bytes.fromhex(element.removeprefix(_FS_BYTES)))
    return element


class FileParse:
    """Read and validate every record of the file at `path` (`name` is its relative name), one
    batch of whole records at a time (batches.py): iterate `batches()`, then read `stat`.

    With `use_fast`, plain records are validated a column at a time (fast.py) and only the others
    take the exact per-record path; without it, every record takes the exact path.

    A file is refused whole, as one quarantined record (file.py says why in words), when it
    cannot be opened or read (a symbolic link loop, a file removed after it was listed) or is not
    text (gzip, UTF-16). Every physical line is accounted for: `lines_read` (counted from the
    bytes) = `lines_skipped` (blank lines, CSV headers) + `lines_parsed` + `lines_rejected`
    (the lines of the records accepted and quarantined while parsing).
    """

    def __init__(self, spec: SourceSpec, schema: pa.Schema, path: str, name: str, ref: Reference,
                 use_fast: bool = True, batch_bytes: int = batches.BATCH_BYTES) -> None:  # fmt: skip
        self._spec = spec
        self._schema = schema
        self._path = path
        self._name = name
        self._ref = ref
        self._use_fast = use_fast
        self._batch_bytes = batch_bytes
        self.stat: dict[str, Any] | None = None

    def batches(self) -> Iterator[ParsedFile]:
        """Each batch's accepted rows and rejects, in file order; sets `stat` when done."""
        spec = self._spec
        count = file.LineCount()
        tally = _Tally()
        note = None
        try:
            handle = file.Reader(self._path)
            problem = handle.not_text()
        except OSError as err:
            handle, problem = None, file.unreadable(err)
        if problem is not None:
            yield self._refused(problem, handle, count, tally, 1)
            note = "refused whole: " + problem
        else:
            try:
                for batch in batches.split(handle.read, spec.format, spec.columns,
                                           self._batch_bytes):  # fmt: skip
                    count.add(batch.data if batch.first or spec.format != "csv"
                              else batch.data[batch.data.find(b"\n") + 1 :])  # fmt: skip
                    part = _parse_batch(spec, self._schema, batch, self._name, self._ref,
                                        self._use_fast)  # fmt: skip
                    tally.add(part, header=not batch.first and spec.format == "csv")
                    yield ParsedFile(part.rows, part.rejects, None)
            except OSError as err:  # the file went away or broke while it was read
                problem = "stopped reading: " + file.unreadable(err)
                yield self._refused(problem, None, count, tally, count.lines + 1)
                note = problem
        try:
            sha256, size = handle.finish() if handle is not None else ("", 0)
        except OSError:  # the rest could not be read to hash it: the note above says why
            sha256, size = "", 0
        lines = count.finish()
        self.stat = {
            "source": spec.name,
            "source_file": self._name,
            "sha256": sha256,
            "bytes": size,
            "records_read": tally.read,
            "records_parsed": tally.parsed,
            "lines_read": lines,
            "lines_skipped": tally.skipped,
            "lines_parsed": tally.lines_parsed,
            "lines_rejected": tally.lines_rejected,
            "note": note
            or ("file is empty" if size == 0 else ("no records" if tally.read == 0 else None)),
        }

    def _refused(self, problem: str, handle: file.Reader | None, count: file.LineCount,
                 tally: _Tally, line: int) -> ParsedFile:  # fmt: skip
        """The whole file (or what is left of it) as one quarantined record."""
        head = b""
        first = count.lines
        if handle is not None:
            head = handle.head
            try:
                while data := handle.read(4 * 1024 * 1024):
                    count.add(data)
            except OSError as err:
                problem += "; then " + file.unreadable(err)
        log.warning("%s: %s", self._name, problem)
        raw = readers.RawRecord(line, head[:200].decode("utf-8", "surrogateescape"), None,
                                problem, count.finish() - first)  # fmt: skip
        reject = reject_row(self._spec, raw, self._name, problem, ref=self._ref)
        tally.read += 1
        tally.lines_rejected += raw.lines
        return ParsedFile(self._schema.empty_table(), tables.rejects_table([reject]), None)


class _Tally:
    """A file's running counts of records and lines."""

    def __init__(self) -> None:
        self.read = self.parsed = self.skipped = self.lines_parsed = self.lines_rejected = 0

    def add(self, part: _Batch, header: bool) -> None:
        self.read += part.read
        self.parsed += part.rows.num_rows
        # a CSV batch after the first starts with the file's header line again: not a file line
        self.skipped += part.skipped - (1 if header else 0)
        self.lines_parsed += part.lines_parsed
        self.lines_rejected += part.lines_rejected


def parse_file(spec: SourceSpec, schema: pa.Schema, path: str, name: str, ref: Reference,
               use_fast: bool = True, batch_bytes: int = batches.BATCH_BYTES) -> ParsedFile:  # fmt: skip
    """The whole file's rows, rejects and stat (FileParse, its batches put together)."""
    parse = FileParse(spec, schema, path, name, ref, use_fast, batch_bytes)
    parts = list(parse.batches())
    return ParsedFile(
        pa.concat_tables([p.rows for p in parts]).combine_chunks(),
        pa.concat_tables([p.rejects for p in parts]),
        parse.stat,
    )


@dataclass(frozen=True)
class _Batch:
    rows: pa.Table
    rejects: pa.Table
    read: int
    skipped: int  # physical lines that are no record: blank lines, the CSV header
    lines_parsed: int  # physical lines of the accepted records
    lines_rejected: int  # physical lines of the quarantined records


def _fast(spec: SourceSpec, schema: pa.Schema, batch: batches.Batch, ref: Reference,
          name: str) -> fast.FastResult | None:  # fmt: skip
    """The fast path's verdict on a batch, or None when the exact path must take all of it.

    The fast path only proves records plain; if it fails in any way on a batch (a case it was
    not written for), the exact path, which quarantines record by record, takes the batch."""
    try:
        return fast.parse(spec.name, spec.format, batch.data, spec.columns, ref, schema)
    except Exception as err:  # noqa: BLE001 - a fallback, not a swallow: the exact path follows
        log.warning("%s: the fast path failed (%s); the exact path reads the batch",
                    name, type(err).__name__)  # fmt: skip
        return None


def _row(spec: SourceSpec, record: readers.RawRecord, ref: Reference,
         name: str) -> tuple[dict[str, Any] | None, str | None]:  # fmt: skip
    """One record's staging row, or the reason it is quarantined.

    The record boundary: `Refused` is the validation's own verdict; any other exception while
    checking one record (a bug, or a case no rule foresaw) is caught here, for this record only,
    and quarantines it with a reason that names the exception, so that one record can never stop
    the run. Errors outside a record (a file that cannot be read, a sink that fails) are not
    caught here."""
    try:
        return spec.row(record.fields or {}, ref), None
    except Refused as refused:
        return None, str(refused)
    except Exception as err:  # noqa: BLE001 - the documented record boundary (see docstring)
        log.warning("%s line %d: unexpected %s while validating; record quarantined",
                    name, record.line, type(err).__name__)  # fmt: skip
        return None, (
            f"could not be validated: unexpected {type(err).__name__} "
            f"({str(err)[:60]}); a bug in unmet to report with this file and line"
        )


def _parse_batch(spec: SourceSpec, schema: pa.Schema, batch: batches.Batch, name: str,
                 ref: Reference, use_fast: bool) -> _Batch:  # fmt: skip
    """One batch's accepted rows and rejects, with the file's line numbers."""
    offset = batch.line_offset
    records: Iterable[readers.RawRecord]
    parts: list[pa.Table] = []
    fast_result = None
    tally = readers.LineTally()
    if use_fast and spec.name in fast.COLUMNS:
        fast_result = _fast(spec, schema, batch, ref, name)
    if fast_result is not None:
        records = fast_result.slow
        table = fast_result.table
        tally.skipped = 1 if spec.format == "csv" else 0  # the header line
        if table.num_rows:
            if offset:
                index = table.schema.get_field_index("source_line")
                lines = pc.add(table.column(index), pa.scalar(offset, pa.int64()))
                table = table.set_column(index, "source_line", lines)
            files = pa.repeat(pa.scalar(name, pa.string()), table.num_rows)
            parts.append(
                table.append_column("source_file", files).select(schema.names).cast(schema)
            )
    else:
        # The file's byte order mark is removed here, not by the "utf-8-sig" codec: at the end
        # of the data, that codec drops a lone b"\xef" or b"\xef\xbb" without a trace.
        data = batch.data.removeprefix(b"\xef\xbb\xbf")
        if batch.data and not data:  # a file of only a byte order mark: one blank line
            tally.skipped += 1
        text = stdio.TextIOWrapper(stdio.BytesIO(data), encoding="utf-8",
                                   errors="surrogateescape", newline="")  # fmt: skip
        if spec.format == "csv":
            records = readers.read_csv(text, spec.columns, spec.optional, tally)
        else:
            records = readers.read_jsonl(text, tally)
    rows: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    read = fast_result.table.num_rows if fast_result is not None else 0
    lines_parsed, lines_rejected = read, 0  # a record of the fast path is one line
    for record in records:
        read += 1
        reason = record.error
        if reason is None and record.fields is not None:
            row, reason = _row(spec, record, ref, name)
            if row is not None:
                row["source_file"] = name
                row["source_line"] = record.line + offset
                rows.append(row)
                lines_parsed += record.lines
        if reason is not None:
            rejects.append(reject_row(spec, record, name, reason, offset, ref))
            lines_rejected += record.lines
    if rows:
        parts.append(pa.Table.from_pylist(rows, schema=schema))
    accepted = pa.concat_tables(parts) if parts else schema.empty_table()
    return _Batch(accepted.combine_chunks(), tables.rejects_table(rejects), read,
                  tally.skipped, lines_parsed, lines_rejected)  # fmt: skip


#: Longest quarantine reason kept (characters); the raw record is kept apart, in `raw`.
MAX_REASON_CHARS = 200


def short_reason(reason: str) -> str:
    """A reason as stored: redacted (a reason may quote a value: redact.scrub_message, which keeps
    a limit such as 1000000) and at most MAX_REASON_CHARS."""
    reason = scrub_message(readers.printable(reason))
    if len(reason) <= MAX_REASON_CHARS:
        return reason
    return reason[: MAX_REASON_CHARS - 3] + "..."


def reject_row(
    spec: SourceSpec,
    record: readers.RawRecord,
    name: str,
    reason: str,
    line_offset: int = 0,
    ref: Reference | None = None,
) -> dict[str, Any]:
    # a note's customer_ref needs its consent; a withdrawal's (a customer_ref without a
    # customer_consent) is the statement itself, kept like the staged withdrawals keep it
    fields = spec.input_model.model_fields
    statement = "customer_ref" in fields and "customer_consent" not in fields
    kept = record.raw if statement else _without_unconsented_customer(record, ref)
    raw = redact_raw(readers.printable_raw(kept))
    record_id = None
    if record.fields is not None:
        value = record.fields.get(spec.id_field)
        shown = scrub(str(value)) if value not in (None, "") else None  # no contact detail
        record_id = readers.printable(shown[:64]) if shown is not None else None
    return {
        "source": spec.name,
        "source_file": name,
        "source_line": record.line + line_offset,
        "record_id": record_id,
        "reason": short_reason(reason),
        "raw": raw,
    }


#: A customer_ref value as written in a JSON text: a string ("customer_ref": "C-000806"), or an
#: array, object, number or bare word (a ref that is no string is withheld too).
_CUSTOMER_REF_TEXT = re.compile(
    r'("customer_ref"\s*:\s*)(?:"(?:[^"\\]|\\.)*"|\[[^\]]*\]?|\{[^}]*\}?|[^,}\s]+)'
)


def _without_unconsented_customer(record: readers.RawRecord, ref: Reference | None = None) -> str:
    """The raw text of a record, with its customer reference withheld unless consent is true
    and not withdrawn since (`ref.withdrawn`: validate.consent_withdrawn, the note's captured_at
    as written; one that cannot be read counts as covered by the withdrawal). A record that
    could not be read as one JSON object (an array, a key given twice, broken JSON) says nothing
    reliable about consent: every customer_ref value in its text is withheld."""
    fields = record.fields
    if fields is None:
        return _CUSTOMER_REF_TEXT.sub(r'\1"[withheld: no consent]"', record.raw)
    customer = fields.get("customer_ref")
    if not customer:
        return record.raw
    if not isinstance(customer, str):  # ["C-1"], {"id": "C-1"}: no ref, and never shown
        withheld = "[withheld: not a reference]"
    elif fields.get("customer_consent") is not True:
        withheld = "[withheld: no consent]"
    elif ref is not None and consent_withdrawn(
        ref, customer.strip(), _written_time(fields.get("captured_at"))
    ):
        withheld = "[withheld: consent withdrawn]"
    else:
        return record.raw
    return json.dumps({**fields, "customer_ref": withheld}, ensure_ascii=False)


def _written_time(value: object) -> datetime | None:
    """A timestamp as a record wrote it, if it reads as one with an offset; else None."""
    try:
        found = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return found if found is not None and found.tzinfo is not None else None
