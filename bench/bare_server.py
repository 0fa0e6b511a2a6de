"""A bare Flask-SocketIO broadcast server: the transport's own limit, for bench/load.py.

No database, no login, no app logic: a client joins a room (`join` {room}); any client sends
`act` {room, seq, t}; the server re-emits that payload as `act` to everyone in the room. Same
stack and server settings as chibo (Flask-SocketIO + eventlet, ping 10/20 s, max_size raised
above eventlet's 1,024 connections, gc.freeze after start-up) so the difference measured is
chibo's own work.

    .venv/bin/python bench/bare_server.py --port 5100 [--no-compression]
        [--message-queue redis://127.0.0.1:6379/0 --channel NAME]   (several processes)

`--no-compression` refuses websocket per-message compression: eventlet's WebSocketWSGI accepts
permessage-deflate whenever the client's handshake offers it and has no option to refuse it
(engineio's `http_compression` covers long-polling responses only), so a WSGI middleware drops
the `Sec-WebSocket-Extensions` request header before the handshake is answered.
"""

if __name__ == "__main__":
    import eventlet

    eventlet.monkey_patch()

import argparse  # noqa: E402
import gc  # noqa: E402
import resource  # noqa: E402

from flask import Flask, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402


def without_ws_compression(wsgi_app):
    """Wrap a WSGI app so websocket handshakes never negotiate per-message compression."""

    def app(environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)

    return app


def create(
    compression: bool = True, message_queue: str | None = None, channel: str = "flask-socketio"
) -> tuple[Flask, SocketIO]:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "bare"
    socketio = SocketIO(
        app,
        async_mode="eventlet",
        ping_interval=10,
        ping_timeout=20,
        message_queue=message_queue,
        channel=channel,
    )

    @socketio.on("join")
    def on_join(data):
        join_room(data["room"])
        return {"ok": True, "sid": request.sid}

    @socketio.on("act")
    def on_act(data):
        socketio.emit("act", data, to=data["room"])
        return {"ok": True}

    @app.get("/health")
    def health():
        return "ok"

    if not compression:
        app.wsgi_app = without_ws_compression(app.wsgi_app)
    return app, socketio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5100)
    parser.add_argument("--max-connections", type=int, default=10000)
    parser.add_argument("--no-compression", action="store_true")
    parser.add_argument("--message-queue", help="redis://... (several processes)")
    parser.add_argument("--channel", default="flask-socketio")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, args.max_connections + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    app, socketio = create(not args.no_compression, args.message_queue, args.channel)
    gc.freeze()
    compression = "off" if args.no_compression else "on"
    print(f"bare: http://{args.host}:{args.port} compression={compression}", flush=True)
    socketio.run(
        app, host=args.host, port=args.port, max_size=args.max_connections, log_output=False
    )


if __name__ == "__main__":
    main()
