"""Vietnamese is the default language: every user-visible string must be translated.

The msgids are extracted from the source here, so a new string fails this test until it is in the
catalog (run scripts/i18n.sh, then translate).
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
SOURCE_DIRS = (
    "app.py",
    "core",
    "domain",
    "auth",
    "org",
    "admin",
    "meetings",
    "oversight",
    "demo",
    "notifications",
    "members",
    "templates",
)
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "N_": None,
}
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def source_msgids() -> set[str]:
    found: set[str] = set()
    for entry in SOURCE_DIRS:
        path = ROOT / entry
        if path.is_file():
            from babel.messages.extract import extract_from_file

            messages = extract_from_file("python", str(path), keywords=KEYWORDS)
            found.update(m[1] if isinstance(m[1], str) else m[1][0] for m in messages)
            continue
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(path), METHODS, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


def catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="vi")


def untranslated() -> list[str]:
    translations = {m.id: m for m in catalog() if m.id}
    missing = []
    for msgid in sorted(source_msgids()):
        message = translations.get(msgid)
        if message is None or not message.string or message.fuzzy:
            missing.append(msgid)
    return missing


def test_every_string_is_translated_to_vietnamese():
    missing = untranslated()
    assert not missing, f"{len(missing)} untranslated (run scripts/i18n.sh): {missing[:20]}"


def test_translations_keep_their_placeholders():
    for message in catalog():
        if message.id and message.string:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            text = message.string if isinstance(message.string, str) else message.string[0]
            assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(text)), msgid
