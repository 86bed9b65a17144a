"""The list of commands the `unmet` group exposes (one module per command group)."""

from __future__ import annotations

import click

ALL: list[click.Command] = []
