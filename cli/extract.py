"""`unmet extract`: free-text notes in, demanded attributes out (JSON Lines).

Each input line is either a JSON object with a "text" field (and usually an "id")::

    {"id": "n-1042", "text": "wanted the wool coat in sage green, size L, we only had black"}

or a plain line of text, whose id is its line number (1-based).
"""

from __future__ import annotations

import json
from typing import IO

import click

from cli.common import ExitError, display_path


class InputError(ValueError):
    """A line of input the extractor cannot read."""


def parse_line(line: str, number: int) -> tuple[object, str]:
    """(id, text) for one input line: a JSON object with "text", or plain text."""
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            record = json.loads(stripped)
        except json.JSONDecodeError:
            record = None  # text that merely starts with "{"
        if isinstance(record, dict):
            text = record.get("text")
            if not isinstance(text, str):
                raise InputError(f'line {number}: JSON object without a string "text" field')
            return record.get("id", number), text
    return number, line.rstrip("\r\n")


def extract_lines(source: IO[bytes], sink: IO[str]) -> int:
    """Extract every line of `source` into `sink`; returns the number of lines written."""
    from pipelines.extract import extract  # imported here: keeps `unmet --help` fast
    from pipelines.ingest.redact import redact

    written = 0
    for number, raw in enumerate(source, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputError(f"line {number}: not valid UTF-8 ({err.reason})") from err
        if not line.strip():
            continue
        id_, text = parse_line(line, number)
        # redacted first, as `unmet run` reads a note: a phone number's digits are no sizes
        redacted, redactions = redact(text)
        found = extract(redacted).to_dict(id_)
        if redactions:
            found["redacted_text"] = redacted  # the text the mentions' offsets point into
        sink.write(json.dumps(found, ensure_ascii=False) + "\n")
        written += 1
    return written


@click.command("extract")
@click.argument(
    "file", type=click.Path(dir_okay=False, allow_dash=True), default="-", required=False
)
def extract(file: str) -> None:
    """Extract the colours, patterns, sizes and category a customer asked for.

    Reads FILE (default: standard input; `-` too), one note per line: a JSON object with
    "id" and "text", or plain text (its id is the line number). Writes one JSON object per
    note: id, category, wanted and rejected colour/pattern/size, and every mention with its
    polarity (wanted, rejected, offered, mentioned) and character offsets. The text is read
    as `unmet run` reads a note: phone numbers, e-mail addresses, card numbers and IBANs are
    redacted first; when one was, the redacted text the offsets point into is written as
    "redacted_text".

    Example:

    \b
        $ echo "wanted the wool coat in sage green, size L, we only had black" \\
            | unmet extract
        {"id": 1, "category": "coat", "wanted": {"color": ["green"], "pattern": [],
         "size": ["L"]}, "rejected": {...}, "mentions": [...]}
        $ unmet extract notes.jsonl > attributes.jsonl
    """
    try:
        # a missing file is exit 1 like every missing input (README "Exit codes"), not click's 2
        source = click.get_binary_stream("stdin") if file == "-" else open(file, "rb")  # noqa: SIM115
    except OSError as err:
        raise ExitError(f"cannot read {display_path(file, folder=False)}: {err.strerror}") from None
    try:
        extract_lines(source, click.get_text_stream("stdout"))
    except InputError as err:
        raise click.ClickException(str(err)) from err
    finally:
        if file != "-":
            source.close()
