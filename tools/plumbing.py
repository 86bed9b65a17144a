"""Count the engine plumbing: the code that is neither a business rule nor a pure transform.

    python -m tools.plumbing            # one line per entry, totals per kind and overall
    make plumbing                       # the same

The list below is explicit and reviewed by hand (docs/architecture.md, "Engine plumbing"): each
entry is a whole module (`*`) or named top-level definitions of one (functions, classes, module
constants; `Class.method` for a method). A definition counts from its first decorator (or the
comment lines right above it) to its last line, docstring included; a whole module counts all
its lines. A name that no longer exists fails the count (tests/test_plumbing.py), so the list
cannot silently go stale.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[1]
WHOLE = "*"


@dataclass(frozen=True)
class Entry:
    kind: str
    module: str  # a path relative to the repository root
    names: tuple[str, ...]  # top-level names, Class.method, or WHOLE


#: What the project's engine plumbing is, by kind (the issue's list: file batching, parts and merge
#: machinery, writers, coders, the gate's chunker, malloc_trim, lock, publish mechanics...).
PLUMBING: tuple[Entry, ...] = (
    Entry("file batching", "pipelines/ingest/batches.py", (WHOLE,)),
    Entry(
        "parts and merge",
        "pipelines/ingest/transforms.py",
        ("part_path", "keys_path", "FindDuplicateIdsFn", "WritePartFn"),
    ),
    Entry("parts and merge", "pipelines/ingest/tables.py", ("bucket_of", "split_by_bucket")),
    Entry(
        "parts and merge",
        "pipelines/demand/transforms.py",
        ("ToSignalsFn", "WriteUnitFn", "WriteChainFn"),
    ),
    Entry("parts and merge", "pipelines/demand/run.py", ("UNIT_ROWS", "store_groups")),
    Entry("writers and file access", "pipelines/io.py", (WHOLE,)),
    Entry("coders", "pipelines/demand/transforms.py", ("ArrowTableCoder",)),
    Entry("runner-safe flow (tags, Commit)", "pipelines/flow.py", (WHOLE,)),
    Entry("Beam options", "pipelines/options.py", (WHOLE,)),
    Entry("a second validator (fast path)", "pipelines/ingest/fast.py", (WHOLE,)),
    Entry("input listing", "pipelines/ingest/inputs.py", ("list_files",)),
    Entry(
        "the gate's chunker",
        "pipelines/checks/frames.py",
        (
            "READ_BATCH_ROWS",
            "READ_AHEAD_BATCHES",
            "DERIVE_INPUTS",
            "read_columns",
            "chunks",
            "_batches",
            "_drain",
            "by_partial_nulls",
            "narrow",
            "concat",
            "frame",
        ),
    ),
    Entry(
        "the gate's chunker",
        "pipelines/checks/run.py",
        (
            "BATCH_SOURCE",
            "CHUNK_ROWS",
            "Chunks",
            "ge_context",
            "validate",
            "_validate_suite",
            "_columns",
            "_run",
            "_batch",
            "saved",
            "_sum",
            "_merge",
            "_timed",
        ),
    ),
    Entry(
        "the gate's chunker", "pipelines/checks/facts.py", ("MEMORY_LIMIT", "THREADS", "_connect")
    ),
    Entry("malloc_trim", "pipelines/checks/run.py", ("_release_memory",)),
    Entry("lock and publish mechanics", "pipelines/publish.py", (WHOLE,)),
    Entry("lock and publish mechanics", "pipelines/job.py", ("BOUNDARIES", "boundary", "_step")),
    Entry("lock and publish mechanics", "pipelines/objectstore.py", (WHOLE,)),
    Entry("lock and publish mechanics", "cli/stop.py", (WHOLE,)),
    Entry("incremental state and carry-over", "pipelines/incremental.py", (WHOLE,)),
    Entry("incremental state and carry-over", "pipelines/checks/carried.py", (WHOLE,)),
    Entry("incremental state and carry-over", "pipelines/checks/facts.py", ("_week_of",)),
    Entry("incremental state and carry-over", "pipelines/marts.py", ("carry",)),
)


def _spans(tree: ast.Module, lines: list[str]) -> dict[str, tuple[int, int]]:
    """Top-level names (and Class.method) -> (first line, last line), the comment lines right
    above a definition (its `#:` description) included."""
    spans: dict[str, tuple[int, int]] = {}
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        while first > 1 and lines[first - 2].lstrip().startswith("#"):
            first -= 1
        names: list[str] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        for name in names:
            spans[name] = (first, node.end_lineno or node.lineno)
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    start = min([item.lineno, *(d.lineno for d in item.decorator_list)])
                    spans[f"{node.name}.{item.name}"] = (start, item.end_lineno or item.lineno)
    return spans


def count(entry: Entry, root: Path = ROOT) -> list[tuple[str, int]]:
    """(name, lines) of each name of `entry`; KeyError if a name is not in its module."""
    text = (root / entry.module).read_text()
    if entry.names == (WHOLE,):
        return [(WHOLE, len(text.splitlines()))]
    spans = _spans(ast.parse(text, entry.module), text.splitlines())
    missing = [name for name in entry.names if name not in spans]
    if missing:
        raise KeyError(f"{entry.module}: no {', '.join(missing)}")
    return [(name, spans[name][1] - spans[name][0] + 1) for name in entry.names]


def main(root: Path = ROOT) -> int:
    """Print every entry, the lines of each kind and the total; returns the total."""
    by_kind: dict[str, int] = {}
    for entry in PLUMBING:
        for name, lines in count(entry, root):
            by_kind[entry.kind] = by_kind.get(entry.kind, 0) + lines
            print(
                f"{lines:5d}  {entry.kind:32s} {entry.module}{'' if name == WHOLE else ':' + name}"
            )
    print()
    for kind, lines in by_kind.items():
        print(f"{lines:5d}  {kind}")
    total = sum(by_kind.values())
    print(f"{total:5d}  engine plumbing in all")
    return total


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
