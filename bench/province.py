"""A province's evening at this machine's scale: 1, 2 and 4 chibo processes sharing Redis and
PostgreSQL, meetings spread over them, and what one meeting's event costs each process.

    .venv/bin/python bench/province.py --processes 1,2,4 --meetings 12 --size 30 --rate 24
    .venv/bin/python bench/province.py --placement first     # every client on process 0

Placements (where each meeting's clients connect):
- `nginx` (default): through nginx configured by deploy/render_nginx.py; each client names its
  meeting (`?meeting=<id>`, as the room page does), so nginx sends a meeting's clients to one
  process (consistent hashing).
- `room`: straight to the processes, every client of a meeting on the same one (round-robin by
  meeting): the routing nginx does, without nginx's own CPU.
- `first`: every client on process 0; the other processes hold no client at all. Their CPU per
  event is what a process pays for the meetings of others (the message queue's fan-out).
- `spread`: each meeting's clients round-robin over the processes (the old `ip_hash` routing of
  many users: a meeting's members on every process).

For each count of processes it reuses bench/load.py (the Node clients, the data, the checks:
lost updates and gaps must be 0) and reports, per process, its CPU during the steady phase and
its CPU per event (per acknowledged command) in microseconds, with the other jobs' CPU on the
machine in the same window (a shared 2-core machine: compare figures of one run only).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import chibo_data, servers  # noqa: E402
from bench.load import REDIS_URL, raise_file_limit, run_node  # noqa: E402
from core.socket_channels import channel_for  # noqa: E402

PLACEMENTS = ("nginx", "room", "first", "spread")


def node_rooms(rooms) -> list[dict]:
    return [
        {
            "id": room.meeting_id,
            "itemId": room.item_id,
            "chair": room.chair,
            "members": [
                {"cookie": m.cookie, "user_id": m.user_id, "present": m.present, "voter": m.voter}
                for m in room.members
            ],
        }
        for room in rooms
    ]


MANAGERS = {
    "meeting": "app.py",  # one Redis channel per meeting (core/socket_channels.py)
    "one": "bench/one_channel.py",  # Flask-SocketIO's RedisManager: one channel for all
}


@contextlib.contextmanager
def manager(name: str):
    """Start the servers of this block with that message-queue manager."""
    before = os.environ.get("CHIBO_BENCH_ENTRY")
    os.environ["CHIBO_BENCH_ENTRY"] = MANAGERS[name]
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("CHIBO_BENCH_ENTRY", None)
        else:
            os.environ["CHIBO_BENCH_ENTRY"] = before


def run(processes: int, placement: str, args, folder: Path) -> dict:
    from tests.scale import pg

    secret_key = secrets.token_hex(32)
    url = pg.create_database()
    try:
        instance = str(folder / "setup")
        rooms = chibo_data.populate(
            url, secret_key, instance, args.meetings, args.size, present_all=False
        )
        with contextlib.ExitStack() as stack:
            running = stack.enter_context(
                servers.chibo(folder, url, secret_key, False, processes, REDIS_URL)
            )
            urls = [s.url for s in running]
            if placement == "nginx":
                ports = [int(u.rsplit(":", 1)[1]) for u in urls]
                urls = [stack.enter_context(servers.nginx(folder / "nginx", ports))]
            elif placement == "first":
                urls = urls[:1]
            config = {
                "label": f"province-{processes}-{placement}",
                "mode": "chibo",
                "kind": "steady",
                "urls": urls,
                "route": "room" if placement in ("room", "nginx") else "client",
                "meetingQuery": placement == "nginx",
                "rooms": node_rooms(rooms),
                "rate": args.rate,
                "duration": args.duration,
                "drain": 10,
                "burst_window": 1,
                "connect_batch": 50,
                "hard_limit": 900,
            }
            stack.enter_context(bell_sockets([s.url for s in running], rooms[0].members[1].cookie))
            pids = [s.process.pid for s in running]
            ports = [int(s.url.rsplit(":", 1)[1]) for s in running]
            result = run_node(config, folder, pids, 900, probe=lambda: servers.established(ports))
        return result
    finally:
        pg.drop_database(url)


# A check-in's `changes` message as broadcast (attendance row + figures), ~0.6 KB of JSON.
SAMPLE_CHANGES = {
    "meeting_id": 0,
    "v": 17,
    "changes": [
        {
            "type": "attendance",
            "data": {
                "user_id": 12,
                "name": "Trần Thị Mai",
                "status": "present",
                "checked_in_at": "2026-12-07T12:31:05Z",
                "category": "official",
            },
        },
        {
            "type": "figures",
            "data": {
                "official_total": 30,
                "present_total": 16,
                "present_official": 16,
                "excused": 0,
                "base": 30,
                "quorum_met": True,
                "attendance_pct": 53.3,
            },
        },
    ],
}


def fanout(processes: int, args, folder: Path, one_channel: bool) -> dict:
    """`processes` chibo processes with no client at all; a publisher sends `args.fanout`
    meeting broadcasts (the message queue's own format, for meetings nobody here holds) at
    `args.fanout_rate` a second. What each idle process spends per message is the cost of the
    fan-out: with the Redis manager every process receives every meeting's every event."""
    import redis

    from tests.scale import pg

    secret_key = secrets.token_hex(32)
    url = pg.create_database()
    client = redis.Redis.from_url(REDIS_URL)
    try:
        rooms = chibo_data.populate(url, secret_key, str(folder / "setup"), 1, 2, present_all=False)
        cookie = rooms[0].members[1].cookie
        with (
            servers.chibo(folder, url, secret_key, False, processes, REDIS_URL) as running,
            bell_sockets([s.url for s in running], cookie),
        ):
            cluster = running[0].cluster
            pids = [s.process.pid for s in running]
            before = [servers.cpu_seconds(p) for p in pids]
            busy0, t0 = servers.machine_busy_seconds(), time.monotonic()
            for i in range(args.fanout):
                meeting = 100_000 + i % 500  # 500 meetings held by no process
                message = {
                    "method": "emit",
                    "event": "changes",
                    "data": [{**SAMPLE_CHANGES, "meeting_id": meeting, "v": i}],
                    "binary": False,
                    "namespace": "/",
                    "room": f"meeting:{meeting}",
                    "skip_sid": None,
                    "callback": None,
                    "host_id": "bench",
                }
                channel = cluster if one_channel else channel_for(cluster, message)
                client.publish(channel, json.dumps(message))
                time.sleep(max(0.0, t0 + (i + 1) / args.fanout_rate - time.monotonic()))
            time.sleep(1)  # the last messages handled
            wall = time.monotonic() - t0
            after = [servers.cpu_seconds(p) for p in pids]
            busy = servers.machine_busy_seconds() - busy0
        own = 0.0  # this script's publishing CPU is part of "other jobs" here
        cpu = [b - a for a, b in zip(before, after, strict=True)]
        return {
            "messages": args.fanout,
            "wall_s": wall,
            "cpu_s_each": cpu,
            "us_per_message_each": [c / args.fanout * 1e6 for c in cpu],
            "other_cpu_pct": 100 * (busy - sum(cpu) - own) / wall,
        }
    finally:
        client.close()
        pg.drop_database(url)


@contextlib.contextmanager
def bell_sockets(urls: list[str], cookie: str):
    """One socket with no meeting (a page's notification bell) on each process. A process
    subscribes to the message queue at its first socket: every process of a deployment has some."""
    import socketio

    clients = []
    try:
        for url in urls:
            client = socketio.Client(reconnection=False)
            client.connect(url, headers={"Cookie": cookie}, transports=["websocket"])
            clients.append(client)
        time.sleep(1)
        yield clients
    finally:
        for client in clients:
            client.disconnect()


def per_event_us(result: dict) -> list[float]:
    """Each process's CPU time per acknowledged command, in microseconds."""
    events = max(result.get("acts_ok") or 0, 1)
    wall = result.get("measure_s") or 0.0
    return [pct / 100 * wall / events * 1e6 for pct in result.get("server_cpu_pct_each", [])]


def fmt(value, digits=1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


HEADER = (
    "| manager | processes | placement | meetings × members | events (acked) | p50 / p99 ms | "
    "lost | sockets per process | CPU per process | CPU per event per process (µs) | "
    "all processes' CPU per event (µs) | other jobs' CPU |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def row(name: str, processes: int, placement: str, args, r: dict) -> str:
    if r.get("failure"):
        first = str(r["failure"]).splitlines()[0][:100]
        return f"| {name} | {processes} | {placement} | failed: {first} |" + " |" * 8
    lat = r.get("latency_ms") or {}
    cpu = " / ".join(f"{c:.0f} %" for c in r.get("server_cpu_pct_each", []))
    each = " / ".join(f"{u:.0f}" for u in per_event_us(r))
    sockets = " / ".join(str(n) for n in r.get("probe") or [])
    return (
        f"| {name} | {processes} | {placement} | {args.meetings} × {args.size} | "
        f"{r['acts_ok']} | {fmt(lat.get('p50'))} / {fmt(lat.get('p99'))} | "
        f"{r['lost'] + r['gaps']} | {sockets or '—'} | {cpu} | {each} | "
        f"{sum(per_event_us(r)):.0f} | {fmt(r.get('other_cpu_pct'), 0)} % |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="chibo: a province's evening (not a test).")
    parser.add_argument("--processes", default="1,2,4", help="comma-separated process counts")
    parser.add_argument("--placement", default="nginx", help=",".join(PLACEMENTS))
    parser.add_argument("--meetings", type=int, default=12)
    parser.add_argument("--size", type=int, default=30)
    parser.add_argument("--rate", type=float, default=24, help="commands per second in total")
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--fanout", type=int, default=0, help="instead: publish this many meeting broadcasts"
    )
    parser.add_argument("--fanout-rate", type=float, default=1000)
    parser.add_argument(
        "--managers", default="one,meeting", help="message-queue managers: " + ",".join(MANAGERS)
    )
    args = parser.parse_args(argv)
    raise_file_limit()
    if args.fanout:
        print(
            "| manager | processes (no client of these meetings) | messages | "
            "µs CPU per message, each process | other jobs' CPU |\n|---|---|---|---|---|"
        )
        for name in args.managers.split(","):
            for processes in (int(n) for n in args.processes.split(",")):
                with manager(name), tempfile.TemporaryDirectory(prefix="chibo-fanout-") as tmp:
                    r = fanout(processes, args, Path(tmp), one_channel=name == "one")
                each = " / ".join(f"{u:.1f}" for u in r["us_per_message_each"])
                print(
                    f"| {name} | {processes} | {r['messages']} | {each} | "
                    f"{r['other_cpu_pct']:.0f} % |"
                )
                sys.stdout.flush()
        return 0
    results = []
    runs = [
        (name, placement, int(n))
        for placement in args.placement.split(",")
        for n in args.processes.split(",")
        for name in args.managers.split(",")
    ]
    for name, placement, processes in runs:
        if placement not in PLACEMENTS:
            parser.error(f"unknown placement {placement}")
        started = time.monotonic()
        with manager(name), tempfile.TemporaryDirectory(prefix="chibo-province-") as tmp:
            try:
                r = run(processes, placement, args, Path(tmp))
            except Exception as exc:  # a failed run is reported, the others go on
                logs = "\n".join(
                    p.read_text(errors="replace")[-1500:] for p in Path(tmp).glob("*.log")
                )
                r = {"failure": f"{exc}\n{logs}"}
        results.append({"manager": name, "processes": processes, "placement": placement, **r})
        print(row(name, processes, placement, args, r), f"({time.monotonic() - started:.0f} s)")
        sys.stdout.flush()
    print()
    print(HEADER)
    for r in results:
        print(row(r["manager"], r["processes"], r["placement"], args, r))
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": None}, "runs": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
