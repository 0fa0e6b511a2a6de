"""Where the app keeps files it writes (uploads, rendered PDFs): folders of the instance folder."""

from __future__ import annotations

from pathlib import Path

from flask import current_app


def instance_folder(config_key: str, default_name: str) -> Path:
    """`config[config_key]` when set (tests, deployments), else `<instance>/<default_name>`;
    created on first use."""
    configured = current_app.config[config_key]
    path = Path(configured) if configured else Path(current_app.instance_path) / default_name
    path.mkdir(parents=True, exist_ok=True)
    return path
