"""Commands for operators: `flask --app app create-admin`, `load-demo`."""

from __future__ import annotations

import getpass

import click
from flask import Flask

from core.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option("--full-name", default="Quản trị hệ thống")
    def create_admin(username: str, full_name: str) -> None:
        """Create the first administrator (production runs with CHIBO_LOAD_DEMO=0)."""
        from auth.models import User

        password = getpass.getpass("Password: ")
        if len(password) < 10:
            raise click.ClickException("Use at least 10 characters.")
        user = User(username=username.strip().lower(), full_name=full_name, is_admin=True)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"Administrator {user.username} created.")

    @app.cli.command("load-demo")
    def load_demo() -> None:
        """Load the demo organisation into an empty database."""
        from core.demo import load_demo_if_empty

        click.echo("loaded" if load_demo_if_empty() else "the database is not empty; nothing done")
