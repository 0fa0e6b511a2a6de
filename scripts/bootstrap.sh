#!/usr/bin/env bash
# Prepare the development environment. Idempotent and fast when nothing changed.
#
#   scripts/bootstrap.sh          .venv with the app's dependencies
#   scripts/bootstrap.sh --dev    + test/lint tools, and the Debian packages the tests use
#
# The virtualenv is (re)installed only when pyproject.toml changed since the last install:
# a stamp inside .venv records the hash of pyproject.toml and whether the dev extras are in.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DEV=0
for arg in "$@"; do
    case "$arg" in
        --dev) DEV=1 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "bootstrap: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

VENV=.venv
STAMP="$VENV/.chibo-install-stamp"
PYTHON="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

step() { printf '==> %s\n' "$*"; }

# Run quietly; show the full output only when the command fails.
LOG="$VENV/.bootstrap.log"
quiet() {
    if ! "$@" >"$LOG" 2>&1; then
        echo "bootstrap: FAILED: $*" >&2
        cat "$LOG" >&2
        return 1
    fi
}

# --- 1. virtualenv --------------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    step "creating $VENV with $("$PYTHON" --version 2>&1)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi

# --- 2. Python packages (only when pyproject.toml changed) ----------------------------------
want_hash="$(sha256sum pyproject.toml | cut -d' ' -f1)"
have_hash=""; have_dev=0
if [ -f "$STAMP" ]; then
    read -r have_hash have_dev <"$STAMP" || true
fi
if [ "$have_hash" != "$want_hash" ] || { [ "$DEV" = 1 ] && [ "$have_dev" != 1 ]; }; then
    # A plain install after a dev one keeps the dev extras: record that, don't downgrade.
    [ "$have_hash" = "$want_hash" ] || have_dev=0
    install_dev=$(( DEV || have_dev ))
    target="."; [ "$install_dev" = 1 ] && target=".[dev]"
    step "upgrading pip"
    quiet "$VENV/bin/python" -m pip install --quiet --upgrade pip
    step "installing chibo ($target) into $VENV"
    quiet "$VENV/bin/python" -m pip install --quiet -e "$target"
    printf '%s %s\n' "$want_hash" "$install_dev" >"$STAMP"
else
    step "Python packages up to date ($VENV)"
fi

# --- 3. Debian packages the tests need (--dev only) -----------------------------------------
if [ "$DEV" = 1 ]; then
    missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    for pkg in fonts-liberation2 poppler-utils nginx; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        step "Debian test packages present (chromium, fonts-liberation2, poppler-utils, nginx)"
    elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        step "installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        # Installed, not started: keep maintainer scripts from starting nginx.
        policy=/usr/sbin/policy-rc.d
        if [ ! -e "$policy" ]; then
            printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"
            trap 'rm -f "$policy"' EXIT
        fi
        quiet apt-get update -qq
        quiet apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        echo "bootstrap: missing Debian packages: ${missing[*]}" >&2
        echo "bootstrap: install them with:" >&2
        echo "    sudo apt-get install --no-install-recommends ${missing[*]}" >&2
        echo "bootstrap: tests that need them will be skipped." >&2
    fi
fi

step "bootstrap done"
