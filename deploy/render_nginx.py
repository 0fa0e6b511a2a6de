"""Write chibo's nginx configuration for N processes.

    python deploy/render_nginx.py --ports 5001 5002 5003 --listen 80 \
        --server-name chibo.example.org > /etc/nginx/conf.d/chibo.conf

nginx's own variables start with `$`, so the template's placeholders are `@NAME@`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "nginx" / "chibo.conf.template"
STATIC_DIR = HERE.parent / "static"


def render(
    ports: list[int],
    listen: str = "80",
    server_name: str = "_",
    host: str = "127.0.0.1",
    static_dir: Path = STATIC_DIR,
) -> str:
    """The configuration text: one upstream server per port."""
    if not ports:
        raise ValueError("at least one port")
    servers = "\n".join(f"    server {host}:{port} max_fails=3 fail_timeout=10s;" for port in ports)
    text = TEMPLATE.read_text()
    for name, value in {
        "UPSTREAM_SERVERS": servers,
        "LISTEN": listen,
        "SERVER_NAME": server_name,
        "STATIC_DIR": str(Path(static_dir).resolve()),
    }.items():
        text = text.replace(f"@{name}@", value)
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", type=int, nargs="+", required=True, help="the processes' ports")
    parser.add_argument("--host", default="127.0.0.1", help="where the processes listen")
    parser.add_argument("--listen", default="80", help="nginx's listen directive, e.g. 80")
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--static-dir", type=Path, default=STATIC_DIR)
    args = parser.parse_args(argv)
    sys.stdout.write(render(args.ports, args.listen, args.server_name, args.host, args.static_dir))


if __name__ == "__main__":
    main()
