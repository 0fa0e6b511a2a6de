"""`flask --app app create-admin USERNAME`: the first administrator of a production install."""

from __future__ import annotations

import getpass

import click
from flask import Flask

from auth.models import User
from core.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option("--full-name", default="Quản trị hệ thống")
    def create_admin(username: str, full_name: str) -> None:
        """Create the first administrator (production runs with CHIBO_LOAD_DEMO=0)."""
        password = getpass.getpass("Password: ")
        if len(password) < 10:
            raise click.ClickException("Use at least 10 characters.")
        user = User(username=username.strip().lower(), full_name=full_name, is_admin=True)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"Administrator {user.username} created.")
