"""`flask --app app load-demo`: load the demo organisation into an empty database."""

from __future__ import annotations

import click
from flask import Flask

from demo.organisation import load_demo_if_empty


def register_cli(app: Flask) -> None:
    @app.cli.command("load-demo")
    def load_demo() -> None:
        """Load the demo organisation into an empty database."""
        click.echo("loaded" if load_demo_if_empty() else "the database is not empty; nothing done")
