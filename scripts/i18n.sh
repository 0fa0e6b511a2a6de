#!/usr/bin/env bash
# Refresh the Vietnamese catalog after changing user-visible strings:
#   scripts/i18n.sh      extract the (English) msgids and merge them into translations/vi/.../messages.po
# Then translate the new entries; tests/unit/test_catalog.py fails while any string is untranslated.
# English needs no catalog: the msgids are English. The app compiles .mo files on start.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYBABEL=.venv/bin/pybabel
SOURCES=$(.venv/bin/python -c 'from tests.unit.test_catalog import SOURCE_DIRS; print(" ".join(SOURCE_DIRS))')
# shellcheck disable=SC2086
$PYBABEL extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
    -k N_ --project chibo -o translations/messages.pot $SOURCES >/dev/null
po=translations/vi/LC_MESSAGES/messages.po
if [ -f "$po" ]; then
    $PYBABEL update -i translations/messages.pot -d translations -l vi --no-fuzzy-matching \
        --ignore-obsolete >/dev/null
else
    $PYBABEL init -i translations/messages.pot -d translations -l vi >/dev/null
fi
echo "$(grep -c '^msgid ' translations/messages.pot) msgids; untranslated in vi: $(
    .venv/bin/python -c 'from tests.unit.test_catalog import untranslated; print(len(untranslated()))')"
