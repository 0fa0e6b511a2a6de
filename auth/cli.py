"""`flask --app app create-admin USERNAME`: the first administrator of a production install;
`flask --app app unlock-login USERNAME`: lift the per-account login limit (auth/login_limits.py)."""

from __future__ import annotations

import getpass

import click
from flask import Flask

from auth.login_limits import unlock
from auth.models import User
from core.config import MIN_PASSWORD_LENGTH
from core.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option("--full-name", default="Quản trị hệ thống")
    def create_admin(username: str, full_name: str) -> None:
        """Create the first administrator (production runs with CHIBO_LOAD_DEMO=0)."""
        password = getpass.getpass("Password: ")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise click.ClickException(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
        user = User(username=username.strip().lower(), full_name=full_name, is_admin=True)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"Administrator {user.username} created.")

    @app.cli.command("unlock-login")
    @click.argument("username")
    @click.option("--address", "addresses", multiple=True, help="also clear this address's pair")
    def unlock_login(username: str, addresses: tuple[str, ...]) -> None:
        """Let a user locked out by the per-account login limit try again."""
        unlock(username, addresses)
        click.echo(f"login limits of {username} cleared")
