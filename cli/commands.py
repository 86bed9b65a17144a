"""The list of commands the `unmet` group exposes (one module per command group)."""

from __future__ import annotations

import click

from cli.run import run

ALL: list[click.Command] = [run]
