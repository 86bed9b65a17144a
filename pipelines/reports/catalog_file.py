"""A catalog CSV file (or a folder of them) as `unmet followups` reads it.

Same format as the inputs' catalog/catalog.csv (docs/formats.md), one real line:

    SKU-10002,Hooded parka,coat,onyx,solid,XS,189.00

Rows are validated and normalised by the ingest's own `validate.catalog_row` (so "Medium", "UK 8",
"Solid" and "Dresss" read as the notes' lexicon writes them). A bad row is quarantined with its
file, line and reason and the rest goes on; the whole catalog is refused only when most of its rows
are bad (a wrong file, not a few typos) or when no row is usable.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from schemas.raw import CatalogItem

CATALOG_COLUMNS = tuple(CatalogItem.model_fields)
#: At most this many quarantine reasons are quoted in a message.
SHOWN_ERRORS = 5
#: Columns of the normalised catalog table.
TABLE_COLUMNS = ("sku", "style", "category", "color", "color_family", "shade", "pattern", "size")


@lru_cache(maxsize=8192)
def _shade(color: str) -> str | None:
    from pipelines.extract import normalize_color

    found = normalize_color(color)
    return found[1] if found else None


class CatalogError(ValueError):
    """The catalog cannot be used at all; the message says where and why."""


@dataclass(frozen=True)
class Quarantined:
    """A catalog row left out, and why (no cell values beyond the one the reason names)."""

    file: str
    line: int
    reason: str

    @classmethod
    def of(cls, file: Path, line: int, reason: str) -> Quarantined:
        """The reason quotes the bad cell: a contact detail in it is redacted like in notes."""
        from pipelines.ingest.redact import redact

        return cls(str(file), line, redact(reason)[0])

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class Catalog:
    """The usable rows of a catalog, normalised, and the rows quarantined."""

    label: str
    rows: list[dict[str, Any]]
    quarantined: list[Quarantined]

    @property
    def read(self) -> int:
        return len(self.rows) + len(self.quarantined)

    def table(self) -> pa.Table:
        return pa.table(
            {name: pa.array([r[name] for r in self.rows], pa.string()) for name in TABLE_COLUMNS}
        )


def catalog_files(path: Path) -> list[Path]:
    """The CSV files of a catalog given as one file or as a folder of `*.csv` files."""
    if path.is_dir():
        files = sorted(p for p in path.glob("*.csv") if p.is_file())
        if not files:
            raise CatalogError(f"no catalog file: expected *.csv files in {path}")
        return files
    if not path.exists():
        raise CatalogError(f"catalog file not found: {path}")
    return [path]


def _records(path: Path) -> Iterator[tuple[int, dict[str, str] | None]]:
    """(line, fields) per data row of one file; fields None when the row has the wrong width."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = tuple(reader.fieldnames or ())
            if header != CATALOG_COLUMNS:
                from pipelines.ingest.redact import redact

                got = redact(",".join(header))[0] or "nothing"
                raise CatalogError(
                    f"{path}: header must be {','.join(CATALOG_COLUMNS)} (got {got})"
                )
            for fields in reader:
                bad = None in fields or any(v is None for v in fields.values())
                yield reader.line_num, None if bad else fields
    except UnicodeDecodeError as err:
        raise CatalogError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except csv.Error as err:
        raise CatalogError(f"{path}: not a readable CSV file ({err})") from None
    except OSError as err:
        raise CatalogError(f"cannot read catalog {path}: {err.strerror}") from None


def _shown(errors: list[Quarantined]) -> str:
    shown = "\n  ".join(str(e) for e in errors[:SHOWN_ERRORS])
    more = len(errors) - SHOWN_ERRORS
    return shown + (f"\n  ... and {more:,} more" if more > 0 else "")


def load_catalog(path: Path) -> Catalog:
    """Validate and normalise every row of the catalog at `path` (a file or a folder)."""
    from pipelines.ingest.validate import Reference, Refused, catalog_row

    ref = Reference(as_of=None)  # type: ignore[arg-type]  # a catalog row has no time to check
    rows: list[dict[str, Any]] = []
    quarantined: list[Quarantined] = []
    seen: dict[str, str] = {}
    for file in catalog_files(path):
        for line, fields in _records(file):
            if fields is None:
                reason = f"expected {len(CATALOG_COLUMNS)} fields"
                quarantined.append(Quarantined.of(file, line, reason))
                continue
            try:
                row = catalog_row(fields, ref)
            except Refused as err:
                quarantined.append(Quarantined.of(file, line, str(err)))
                continue
            if row["sku"] in seen:
                reason = f"sku: repeats {seen[row['sku']]}"
                quarantined.append(Quarantined.of(file, line, reason))
                continue
            seen[row["sku"]] = f"{file.name} line {line}"
            rows.append({**row, "shade": _shade(row["color"])})
    catalog = Catalog(str(path), rows, quarantined)
    if catalog.read == 0:
        raise CatalogError(f"{path}: the catalog has no rows")
    if not rows or len(quarantined) * 2 > catalog.read:
        raise CatalogError(
            f"{path}: {len(quarantined):,} of {catalog.read:,} rows are bad, so the file was "
            f"refused and nothing was matched:\n  {_shown(quarantined)}"
        )
    return catalog


def catalog_skus(path: Path) -> list[str]:
    """Every sku a catalog (file or folder) lists, bad rows included: what it already offered."""
    skus = set()
    for file in catalog_files(path):
        for _, fields in _records(file):
            if fields is not None and fields["sku"].strip():
                skus.add(fields["sku"].strip())
    if not skus:
        raise CatalogError(f"{path}: the previous catalog lists no sku")
    return sorted(skus)


def describe_quarantine(catalog: Catalog) -> str:
    """One message for the rows left out of a usable catalog."""
    n = len(catalog.quarantined)
    return (
        f"{catalog.label}: {n:,} of {catalog.read:,} catalog rows quarantined (the rest is used):"
        f"\n  {_shown(catalog.quarantined)}"
    )
