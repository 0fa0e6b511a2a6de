"""A refused administrative change: a stable code and parameters that the pages translate."""

from __future__ import annotations


class AdminError(Exception):
    """A refused change; nothing was written. ``field`` names the form field at fault, if any."""

    def __init__(self, code: str, field: str | None = None, **params):
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params
