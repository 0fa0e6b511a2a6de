#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are up for the tests.
# Starts them when they are down and we are root; never fails: tests that need a missing
# service skip with a reason. Prints what is available.
set -uo pipefail

PG_HOST=127.0.0.1 PG_PORT=5432
REDIS_HOST=127.0.0.1 REDIS_PORT=6379

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" >/dev/null 2>&1; }

pg_up() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2
    else
        port_open "$PG_HOST" "$PG_PORT"
    fi
}

redis_up() {
    if command -v redis-cli >/dev/null 2>&1; then
        [ "$(timeout 2 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
    else
        port_open "$REDIS_HOST" "$REDIS_PORT"
    fi
}

wait_for() { # check-function seconds
    local i
    for ((i = 0; i < $2 * 4; i++)); do "$1" && return 0; sleep 0.25; done
    return 1
}

is_root() { [ "$(id -u)" = 0 ]; }

# --- PostgreSQL -----------------------------------------------------------------------------
if ! pg_up; then
    if is_root && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
        for version in $(ls /etc/postgresql 2>/dev/null); do
            echo "==> starting PostgreSQL $version (cluster main)"
            pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
        done
        wait_for pg_up 15 || true
    fi
fi
if pg_up; then
    echo "==> PostgreSQL: available on $PG_HOST:$PG_PORT"
else
    echo "==> PostgreSQL: NOT available on $PG_HOST:$PG_PORT (tests that need it will be skipped)"
fi

# --- Redis ----------------------------------------------------------------------------------
if ! redis_up; then
    if is_root && command -v redis-server >/dev/null 2>&1; then
        echo "==> starting Redis"
        redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" \
            --save "" --appendonly no >/dev/null 2>&1 || true
        wait_for redis_up 10 || true
    fi
fi
if redis_up; then
    echo "==> Redis: available on $REDIS_HOST:$REDIS_PORT"
else
    echo "==> Redis: NOT available on $REDIS_HOST:$REDIS_PORT (tests that need it will be skipped)"
fi

exit 0
