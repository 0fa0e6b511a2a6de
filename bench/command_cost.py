"""What one command costs the server, measured in the process: CPU time, SQL statements, and the
bytes it broadcasts (each of which the server then writes to every client of the meeting).

`bench/load.py` measures the whole path through real sockets, but its figures are wall-clock
latencies: on a machine shared with other jobs they move with the load. These three figures
hardly do, so a change to the command path can be judged (and bisected) on a busy machine:

    .venv/bin/python bench/command_cost.py                 # 300 members, every command below
    .venv/bin/python bench/command_cost.py --members 1000 --json out.json
    .venv/bin/python bench/command_cost.py --baseline ../other-checkout   # side by side

`--baseline DIR` runs this same script from another checkout of chibo (say, `git worktree add
/tmp/base <ref>`) in a subprocess and prints both, so before and after come from one run.

Commands, as in the load benchmark's burst and steady scenarios, one per member: a secret ballot
(`cast_vote` with a receipt hash), a raised hand (`cast_vote` in a show of hands), a check-in by
a member not yet present. Broadcast bytes are the JSON of every `changes` message (what the
server serializes once and writes to each of the N sockets: bytes × N is the transport's work).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The checkout measured: this one, or the baseline's when run as the baseline's child.
ROOT = Path(os.environ.get("CHIBO_COST_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(members: int) -> dict:
    from sqlalchemy import event, select

    from auth.models import User
    from bench import chibo_data

    try:
        from core import broadcast
    except ImportError:  # a baseline from before broadcast moved to core/ (2026-12-01)
        from meetings import broadcast
    from core.extensions import db
    from meetings.commands import dispatch
    from meetings.models import Attendance

    folder = Path(tempfile.mkdtemp(prefix="chibo-cost-"))
    url = f"sqlite:///{folder / 'cost.db'}"
    key = secrets.token_hex(16)
    [room] = chibo_data.populate(url, key, str(folder), 1, members, present_all=False)
    app = chibo_data.make_app(url, key, str(folder))
    sent: list[int] = []
    statements = [0]
    real_emit = broadcast.socketio.emit

    def counting_emit(name, payload=None, **kwargs):
        if name == "changes":
            sent.append(len(json.dumps(payload, ensure_ascii=False).encode()))
        return real_emit(name, payload, **kwargs)

    broadcast.socketio.emit = counting_emit
    results: dict[str, dict] = {}
    with app.app_context():
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *a: statements.__setitem__(0, statements[0] + 1),
        )
        users = {u.id: u for u in db.session.scalars(select(User))}
        chair = users[room.members[room.chair].user_id]

        def one_kind(label: str, calls: list[tuple[User, str, dict]]) -> None:
            cpu, sql, out = [], [], []
            for actor, name, payload in calls:
                db.session.remove()
                actor = db.session.get(User, actor.id)
                statements[0], before = 0, len(sent)
                t0 = time.process_time()
                ack = dispatch(actor, room.meeting_id, name, secrets.token_hex(8), payload)
                cpu.append((time.process_time() - t0) * 1000)
                assert ack["ok"], ack
                sql.append(statements[0])
                out.append(sum(sent[before:]))
            results[label] = {
                "commands": len(cpu),
                "cpu_ms_p50": statistics.median(cpu),
                "cpu_ms_p99": _percentile(cpu, 0.99),
                "cpu_ms_total": sum(cpu),
                "sql_per_command": statistics.mean(sql),
                "broadcast_bytes_mean": statistics.mean(out),
                "broadcast_bytes_max": max(out),
            }

        def open_vote(method: str) -> int:
            db.session.remove()
            ack = dispatch(
                db.session.get(User, chair.id),
                room.meeting_id,
                "open_vote",
                secrets.token_hex(8),
                {"kind": "resolution", "method": method},
            )
            return ack["result"]["vote_id"]

        present = [users[m.user_id] for m in room.members if m.present]
        absent = [users[m.user_id] for m in room.members if not m.present]
        one_kind("check_in", [(u, "check_in", {}) for u in absent])
        assert db.session.query(Attendance).count() == members
        secret = open_vote("secret")
        voters = present + absent
        one_kind(
            "cast_vote (secret)",
            [
                (
                    u,
                    "cast_vote",
                    {
                        "vote_id": secret,
                        "choices": ["agree"],
                        "receipt_hash": secrets.token_hex(32),
                    },
                )
                for u in voters
            ],
        )
        dispatch(
            db.session.get(User, chair.id),
            room.meeting_id,
            "close_vote",
            secrets.token_hex(8),
            {"vote_id": secret},
        )
        hands = open_vote("show_of_hands")
        one_kind(
            "cast_vote (hands)",
            [(u, "cast_vote", {"vote_id": hands, "choices": ["agree"]}) for u in voters],
        )
    broadcast.socketio.emit = real_emit
    return results


def print_table(columns: dict[str, dict], members: int) -> None:
    print(f"\nCost per command, one meeting of {members} members (CPU in this process; SQLite)\n")
    print(
        "| command | tree | CPU ms p50 / p99 | CPU s, all | SQL statements "
        "| broadcast bytes mean / max | × sockets = bytes written |"
    )
    print("|---|---|---|---|---|---|---|")
    labels = next(iter(columns.values())).keys()
    for label in labels:
        for tree, results in columns.items():
            r = results.get(label)
            if r is None:
                continue
            print(
                f"| {label} | {tree} | {r['cpu_ms_p50']:.2f} / {r['cpu_ms_p99']:.2f} | "
                f"{r['cpu_ms_total'] / 1000:.2f} | {r['sql_per_command']:.1f} | "
                f"{r['broadcast_bytes_mean']:.0f} / {r['broadcast_bytes_max']} | "
                f"{r['broadcast_bytes_mean'] * members * r['commands'] / 1e6:.1f} MB |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument(
        "--baseline", type=Path, help="another chibo checkout, measured the same way"
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()
    os.environ.setdefault("CHIBO_LOG_LEVEL", "WARNING")
    if args.raw:
        print(json.dumps(measure(args.members)))
        return
    columns = {}
    if args.baseline:
        script = Path(__file__).resolve()
        out = subprocess.run(
            [sys.executable, str(script), "--raw", "--members", str(args.members)],
            cwd=args.baseline,
            env={**os.environ, "CHIBO_COST_ROOT": str(args.baseline.resolve())},
            capture_output=True,
            text=True,
            check=True,
        )
        columns[f"baseline ({args.baseline.name})"] = json.loads(
            out.stdout.strip().splitlines()[-1]
        )
    columns["this tree"] = measure(args.members)
    print_table(columns, args.members)
    if args.json:
        args.json.write_text(json.dumps(columns, indent=2))


if __name__ == "__main__":
    main()
