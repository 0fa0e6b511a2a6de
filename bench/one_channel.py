"""`python app.py` with Flask-SocketIO's own Redis manager on one channel for every meeting (as
before core/socket_channels.py): bench/province.py's `--managers one`, for side-by-side runs.

    CHIBO_BENCH_ENTRY=bench/one_channel.py  (set by bench/province.py; same arguments as app.py)
"""

import os
import sys

import eventlet

eventlet.monkey_patch()
os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import app  # noqa: E402

app._message_queue = lambda url, cluster: {"channel": cluster}  # every meeting on one channel

if __name__ == "__main__":
    app.main()
