"""Each Socket.IO event runs in a request context made from its connection's WSGI environ. The
Socket.IO path is no route, so Flask's routing stores a NotFound on the event's Request; the
NotFound's traceback holds the frames of the context's push, and they hold the context and its
Request again: a reference cycle per event, which only the cyclic collector frees. That collector
rarely runs a full collection (app.py tunes it for latency), so each cycle kept whatever its event
returned: after a join, the whole snapshot (~230 KB for a 1,000-member roster). Measured with
bench/load.py joins1x1000: ~600 KB per connected member, 730 MB for 1,000 sockets.
"""

from __future__ import annotations

from flask import Flask, request


def install(app: Flask) -> None:
    @app.teardown_request
    def break_the_routing_cycle(_error=None) -> None:
        if getattr(request, "sid", None) is not None:  # a Socket.IO event (Flask-SocketIO sets it)
            request.routing_exception = None  # the rest is then freed when the context pops
