"""Five `SELECT pg_sleep(1)` at once on one eventlet process; prints the elapsed seconds.

Run by tests/scale/test_green_psycopg.py as `python -m tests.scale.slow_queries MODE URL`, where MODE
says how psycopg waits for the server:
  entry   - what app.py's entry point does: PSYCOPG_WAIT_FUNC=wait_selector set before psycopg
            is imported, then core.db_setup.use_green_psycopg_wait();
  late    - only use_green_psycopg_wait(), after psycopg was imported (the module attribute alone);
  default - psycopg's own choice (the control: its C wait blocks the whole process).
"""

import eventlet

eventlet.monkey_patch()

import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

QUERIES = 5


def main(mode: str, url: str) -> None:
    os.environ.pop("PSYCOPG_WAIT_FUNC", None)
    if mode == "entry":
        os.environ["PSYCOPG_WAIT_FUNC"] = "wait_selector"
    import psycopg  # noqa: F401  (imported before the switch, as any library might)
    from sqlalchemy import create_engine, text

    from core.db_setup import use_green_psycopg_wait

    if mode in ("entry", "late"):
        use_green_psycopg_wait()
    engine = create_engine(url, pool_size=QUERIES, max_overflow=0)
    connections = [engine.connect() for _ in range(QUERIES)]  # connect first: time queries only

    def slow(connection) -> None:
        connection.execute(text("SELECT pg_sleep(1)"))

    started = time.monotonic()
    pool = eventlet.GreenPool(QUERIES)
    for connection in connections:
        pool.spawn(slow, connection)
    pool.waitall()
    elapsed = time.monotonic() - started
    from psycopg import waiting

    print(f"elapsed={elapsed:.3f} wait={waiting.wait.__name__}", flush=True)
    for connection in connections:
        connection.close()
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
