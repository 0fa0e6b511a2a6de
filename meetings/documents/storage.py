"""Checking and keeping uploaded files: type from the bytes, random names in the instance folder."""

from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path

from flask import current_app

from core.files import instance_folder

# kind -> (accepted extensions, MIME type sent on download)
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "pdf": ((".pdf",), "application/pdf"),
    "docx": (
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "png": ((".png",), "image/png"),
    "jpeg": ((".jpg", ".jpeg"), "image/jpeg"),
    "webp": ((".webp",), "image/webp"),
}


def max_bytes() -> int:
    """The largest file accepted: CHIBO_MAX_DOCUMENT_BYTES, 10 MB by default."""
    return int(current_app.config["CHIBO_MAX_DOCUMENT_BYTES"])


def sniff(data: bytes) -> str | None:
    """The file's real type from its first bytes (and, for DOCX, its zip directory)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
    return None


def matches_extension(kind: str, filename: str) -> bool:
    return Path(filename.lower()).suffix in KINDS[kind][0]


def mimetype(kind: str) -> str:
    return KINDS[kind][1]


def folder() -> Path:
    """CHIBO_DOCUMENTS_DIR when set (tests), else documents/ in the instance folder."""
    return instance_folder("CHIBO_DOCUMENTS_DIR", "documents")


def save(data: bytes) -> str:
    """Write the bytes under a new random name; returns that name."""
    name = secrets.token_hex(16)
    (folder() / name).write_bytes(data)
    return name


def path_of(storage_name: str) -> Path:
    if len(storage_name) != 32 or not all(c in "0123456789abcdef" for c in storage_name):
        raise ValueError("not a storage name")  # never a path from the outside
    return folder() / storage_name


def remove(storage_name: str) -> None:
    path_of(storage_name).unlink(missing_ok=True)
