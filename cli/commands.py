"""The commands the `unmet` group exposes (one module per command group)."""

from __future__ import annotations

import click

from cli.extract import extract
from cli.followups import followups
from cli.generate import generate
from cli.pipeline import pipeline
from cli.query import query
from cli.report import report
from cli.run import run
from cli.unlock import unlock

ALL: list[click.Command] = [run, generate, extract, report, followups, query, pipeline, unlock]
