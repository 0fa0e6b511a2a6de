"""chibo: the app factory and the entry point (`python app.py --host 127.0.0.1 --port 5000`).

The entry point patches the async library before anything else is imported, and only there;
`create_app` never patches, so tests and tools import it safely.
"""

if __name__ == "__main__":
    import os as _os

    _mode = _os.environ.get("CHIBO_ASYNC_MODE", "eventlet")
    if _mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
        # psycopg 3 would block the whole eventlet server on every query without this.
        _os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")
    elif _mode == "gevent":
        from gevent import monkey

        monkey.patch_all()

import argparse  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402

from flask import Flask, has_request_context, session  # noqa: E402
from flask_login import current_user  # noqa: E402
from werkzeug.middleware.proxy_fix import ProxyFix  # noqa: E402

from core import config  # noqa: E402
from core.db_setup import configure as configure_database  # noqa: E402
from core.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio  # noqa: E402
from core.i18n import compile_catalogs, install_template_helpers  # noqa: E402
from meetings import wire_json  # noqa: E402
from meetings.event_limits import ENGINE_MAX_BYTES  # noqa: E402

log = logging.getLogger("chibo")


def select_locale() -> str:
    if not has_request_context():
        return config.DEFAULT_LANGUAGE  # demo data, CLI
    lang = session.get("lang")
    if lang in config.LANGUAGES:
        return lang
    if current_user and current_user.is_authenticated:
        return current_user.language
    return config.DEFAULT_LANGUAGE  # Vietnamese first, whatever the browser says


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then the environment (unless testing), then the test override."""
    instance = (test_config or {}).get("INSTANCE_PATH") or config.INSTANCE
    app = Flask(__name__, instance_path=str(instance))
    app.config.update(config.DEFAULTS)
    if test_config is None:
        app.config.update(config.from_environment())
    else:
        app.config.update(test_config)

    compile_catalogs()
    db.init_app(app)
    configure_database(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(config.ROOT / "translations"),
    )
    limiter.init_app(app)
    socketio.init_app(
        app,
        async_mode=app.config["CHIBO_ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        # Same-origin only (Flask-SocketIO's default); never '*'.
        cors_allowed_origins=app.config["SOCKETIO_CORS_ORIGINS"],
        ping_interval=10,
        ping_timeout=20,
        # Above the Socket.IO limit we answer (too_large): Engine.IO would close silently.
        max_http_buffer_size=ENGINE_MAX_BYTES,
        json=wire_json,  # a joiner's snapshot embeds the roster serialized once for everyone
        **_message_queue(app.config["SOCKETIO_MESSAGE_QUEUE"], app.config["CHIBO_CLUSTER"]),
    )
    if app.config["CHIBO_BEHIND_PROXY"]:
        # nginx sets these (deploy/nginx.conf.template); trusted only when asked, one hop.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    if not app.config["CHIBO_WS_COMPRESSION"]:
        app.wsgi_app = _without_ws_compression(app.wsgi_app)

    from core import recent_changes, socket_requests
    from core.web import install_input_bounds
    from meetings import snapshot_cache, write_guard
    from meetings.event_limits import install as install_event_limits

    write_guard.install()
    install_input_bounds(app)
    install_event_limits(app)
    snapshot_cache.install(app)
    recent_changes.install(app)
    socket_requests.install(app)
    _register_features(app)
    from core.web import install_web_defaults

    install_template_helpers(app)
    install_web_defaults(app)
    from domain import labels

    app.jinja_env.globals["labels"] = labels  # the one labels module, for every template

    from auth.cli import register_cli as register_auth_cli
    from core.cli import register_cli as register_database_cli
    from demo.cli import register_cli as register_demo_cli

    register_database_cli(app)
    register_auth_cli(app)
    register_demo_cli(app)
    return app


def _message_queue(url: str | None, cluster: str) -> dict:
    """With Redis, one channel per meeting (core/socket_channels.py): a process hears only the
    meetings it holds sockets of. Other queues: Flask-SocketIO's own manager on one channel."""
    if url and url.startswith(("redis://", "rediss://")):
        from core.socket_channels import MeetingChannelsManager

        return {"client_manager": MeetingChannelsManager(url, channel=cluster)}
    return {"channel": cluster}


def _without_ws_compression(wsgi_app):
    """Refuse websocket per-message compression: the websocket servers (eventlet's, and
    simple-websocket's under gevent/threading) accept permessage-deflate whenever the handshake
    offers it, which browsers always do, and offer no switch; without the offer they send plain
    frames. Measured (docs/performance.md): deflating every message for every recipient costs
    server CPU and ~90 KB per connection, for messages of a few hundred bytes."""

    def app(environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)

    return app


def _register_features(app: Flask) -> None:
    """Every feature, named here: its pages (blueprint), its room commands, its socket events."""
    import jobs
    from admin import bp as admin_bp
    from admin import commands as admin_commands
    from auth.routes import bp as auth_bp
    from meetings import agenda, attendance, commands, guests, lifecycle, scheduling
    from meetings.documents import commands as document_commands
    from meetings.documents.routes import bp as documents_bp
    from meetings.events import register as register_events
    from meetings.minutes import commands as minutes_commands
    from meetings.minutes import signing as minutes_signing
    from meetings.minutes.review_results import bp as review_results_bp
    from meetings.minutes.routes import bp as minutes_bp
    from meetings.review import commands as review_commands
    from meetings.review.routes import bp as review_bp
    from meetings.routes import bp as meetings_bp
    from meetings.speakers import commands as speaker_commands
    from meetings.speakers.routes import bp as speakers_bp
    from meetings.tasks import commands as task_commands
    from meetings.tasks.routes import bp as tasks_bp
    from meetings.voting import commands as voting_commands
    from meetings.voting import hall as hall_commands
    from meetings.voting import settings as vote_rule_commands
    from meetings.voting.routes import bp as voting_bp
    from members import commands as account_commands
    from members.account import bp as account_bp
    from members.routes import bp as handbook_bp
    from notifications import commands as notification_commands
    from notifications import hooks, mail, overview, reminders, replies
    from notifications.calendar import bp as calendar_bp
    from notifications.routes import bp as notifications_bp
    from oversight import commands as assignment_commands
    from oversight.routes import bp as oversight_bp

    commands.expect_features(
        lifecycle,
        agenda,
        attendance,
        scheduling,
        document_commands,
        speaker_commands,
        voting_commands,
        hall_commands,
        guests,
        vote_rule_commands,
        minutes_commands,
        minutes_signing,
        assignment_commands,
        admin_commands,
        replies,
        task_commands,
        review_commands,
        account_commands,
        notification_commands,
    )
    commands.expect_listeners(hooks, overview)  # notifications follow each commit
    jobs.init_app(app, features=(mail, reminders))  # their jobs: email, reminders
    register_events()
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(speakers_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(oversight_bp)
    app.register_blueprint(voting_bp)
    app.register_blueprint(minutes_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(handbook_bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(review_results_bp)


def prepare_database(app: Flask) -> None:
    """Create or migrate the database, and load the demo organisation when it is empty."""
    from demo.organisation import load_demo_if_empty

    with app.app_context():
        if app.config["CHIBO_AUTO_MIGRATE"]:
            from flask_migrate import upgrade

            upgrade(directory=str(config.ROOT / "migrations"))
        else:
            db.create_all()
        if app.config["CHIBO_LOAD_DEMO"]:
            if load_demo_if_empty():
                log.info("demo organisation loaded")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run chibo.")
    parser.add_argument("--host", default=os.environ.get("CHIBO_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CHIBO_PORT", "5000")))
    parser.add_argument(
        "--max-connections",
        type=int,
        default=10000,
        help="simultaneous connections (eventlet's own default is 1024)",
    )
    parser.add_argument(
        "--share-port",
        action="store_true",
        default=os.environ.get("CHIBO_SHARE_PORT") == "1",
        help="let several processes listen on the same port (the kernel splits connections)",
    )
    args = parser.parse_args(argv)
    if not args.share_port and port_in_use(args.host, args.port):
        # eventlet's listener sets SO_REUSEPORT: without this check a second server would start
        # silently and the kernel would split users between two servers (random logouts).
        raise SystemExit(f"chibo: port {args.port} is already in use on {args.host}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from core.db_setup import use_green_psycopg_wait

    use_green_psycopg_wait()
    app = create_app()
    prepare_database(app)
    _start_cluster_tasks(app)
    # Secret votes left open by a process that died: hold their keys again, or declare them void.
    from meetings.voting.secret_ballots import start_watch

    start_watch(app)
    import jobs

    jobs.start_in_process(app)  # one process: email and reminders run here too
    _raise_file_limit(args.max_connections)
    from core import stack_dump

    stack_dump.install()
    print(f"chibo: http://{args.host}:{args.port}  ({app.config['CHIBO_ASYNC_MODE']})", flush=True)
    import gc

    gc.freeze()  # start-up objects leave the collector's generations: shorter full collections
    # Every open socket adds long-lived objects; with 1,500 sockets a full collection took
    # 100-300 ms and came every few seconds under load (the worst latencies). A full collection
    # after 100 middle ones instead of 10 made them rare (docs/performance.md).
    gc.set_threshold(700, 10, 100)
    run_kwargs: dict = {"host": args.host, "port": args.port, "allow_unsafe_werkzeug": True}
    if app.config["CHIBO_ASYNC_MODE"] == "eventlet":
        from core.websocket_frames import harden_eventlet_websocket
        from meetings.event_limits import oversize_answer

        harden_eventlet_websocket(oversize_answer(app))
        run_kwargs = {
            "host": args.host,
            "port": args.port,
            "max_size": args.max_connections,
            "log_output": False,
        }
    socketio.run(app, **run_kwargs)


def port_in_use(host: str, port: int) -> bool:
    """Whether something listens on host:port: a bind without SO_REUSEPORT fails then."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no owner
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def _start_cluster_tasks(app: Flask) -> None:
    """With a message queue: listen for cross-process control messages, keep presence alive."""
    if not app.config["SOCKETIO_MESSAGE_QUEUE"]:
        return
    from auth.sessions import start_control_listener
    from meetings.presence import start_heartbeat

    start_control_listener(app)
    start_heartbeat(app)


def _raise_file_limit(wanted: int) -> None:
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = min(hard, max(soft, wanted + 256))
        if target > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ImportError, ValueError, OSError):
        pass


if __name__ == "__main__":
    main()
