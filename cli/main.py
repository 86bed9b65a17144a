"""The `unmet` command line: a thin click layer over the pipelines package."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="unmet")
def cli() -> None:
    """unmet: capture what customers asked for and did not get, and turn it into decisions."""


def _register() -> None:
    # Each command group lives in its own module; importing them here keeps start-up cheap
    # (heavy libraries are imported inside the commands).
    from cli import commands

    for command in commands.ALL:
        cli.add_command(command)


_register()
