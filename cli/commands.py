"""The list of commands the `unmet` group exposes (one module per command group)."""

from __future__ import annotations

import click

from cli.run import run

ALL: list[click.Command] = [run]

from cli.generate import generate  # noqa: E402

ALL.append(generate)

from cli.followups import followups  # noqa: E402
from cli.query import query  # noqa: E402
from cli.report import report  # noqa: E402

ALL.append(report)
ALL.append(query)
ALL.append(followups)

from cli.extract import extract  # noqa: E402

ALL.append(extract)
