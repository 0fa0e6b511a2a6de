"""Load benchmark: chibo against a bare Flask-SocketIO broadcast server, same scenarios, same run.

    .venv/bin/python bench/load.py --scenario all [--runs 3] [--duration 20] [--json out.json]

For each scenario and each server variant it starts the server(s) on loopback, runs the Node load
generator (bench/node/load.mjs: one process, N real socket.io-client websocket clients), samples
the server's CPU and memory from /proc while the actions run, stops everything, and prints
p50/p95/p99/max latency (action sent -> update received, every client), lost updates, votes
recorded vs cast, connect time, CPU and memory, and chibo's ratio to the bare server.

Variants: `bare` (Flask-SocketIO defaults: websocket compression accepted), `bare-nc`
(compression refused), `chibo` (as configured by default), `chibo-c` (compression accepted), and
for the `@redis` scenarios two processes behind Redis (chibo also on PostgreSQL).
Needs Node (npm ci in bench/node once); Redis and PostgreSQL on 127.0.0.1 for `@redis`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import chibo_data, servers  # noqa: E402

NODE_DIR = ROOT / "bench" / "node"
REDIS_URL = os.environ.get("CHIBO_BENCH_REDIS", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class Scenario:
    name: str
    rooms: int
    size: int
    rate: float  # actions per second in total (steady)
    kind: str = "steady"  # or "burst"
    processes: int = 1

    @property
    def clients(self) -> int:
        return self.rooms * self.size


BASE = [
    Scenario("1x30", 1, 30, 10),
    Scenario("1x300", 1, 300, 5),
    Scenario("1x1000", 1, 1000, 2),
    Scenario("50x30", 50, 30, 50),
    Scenario("burst300", 1, 300, 0, kind="burst"),
    # Joins (issue 17, target 1): every client connects and joins; then a short steady phase
    # checks that nothing is lost. The figure is "all clients joined", chibo ÷ bare-nc.
    Scenario("joins1x300", 1, 300, 2, kind="joins"),
    Scenario("joins1x1000", 1, 1000, 2, kind="joins"),
    Scenario("joins50x30", 50, 30, 10, kind="joins"),
]
JOINS_DURATION = 3.0  # seconds of steady load after the joins
SCENARIOS = {s.name: s for s in BASE}
for s in BASE:
    SCENARIOS[f"{s.name}@redis"] = Scenario(f"{s.name}@redis", s.rooms, s.size, s.rate, s.kind, 2)
ONE_PROCESS_VARIANTS = ("bare", "bare-nc", "chibo", "chibo-c")
CLUSTER_VARIANTS = ("bare", "chibo")


def raise_file_limit() -> None:
    """The Node client holds one socket per client: it inherits this process's limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# ---- one run -------------------------------------------------------------------------------------


PROFILE: dict = {}  # --profile DIR --profile-phase connect|measure: py-spy on the servers


def start_profile(pids: list[int], label: str) -> list[subprocess.Popen]:
    """py-spy record (collapsed stacks, idle frames included) of each server process."""
    out = Path(PROFILE["dir"])
    out.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).parent / "py-spy"
    return [
        subprocess.Popen(
            [
                str(spy),
                "record",
                "--pid",
                str(pid),
                "--format",
                "raw",
                "--idle",
                "--rate",
                "200",
                "--output",
                str(out / f"{label}-{i}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i, pid in enumerate(pids)
    ]


def stop_profile(spies: list[subprocess.Popen]) -> None:
    for spy in spies:
        spy.send_signal(2)  # SIGINT: py-spy writes its file and exits
    for spy in spies:
        try:
            spy.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spy.kill()


def run_node(config: dict, folder: Path, pids: list[int], limit: float, probe=None) -> dict:
    """Run load.mjs; sample the servers' CPU between the `measure` and `drain` phases (and call
    `probe()` when the `measure` phase starts: its answer is the result's `probe`)."""
    config_path, out_path = folder / "config.json", folder / "result.json"
    config_path.write_text(json.dumps(config))
    idle_mb = sum(servers.memory_mb(p)[0] for p in pids)  # started, no client yet
    process = subprocess.Popen(
        ["node", str(NODE_DIR / "load.mjs"), str(config_path), str(out_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    marks: dict[str, tuple[float, list[float], float, float]] = {}
    probed = None
    deadline = time.monotonic() + limit
    spies: list[subprocess.Popen] = []
    profile_phase = PROFILE.get("phase")
    try:
        for line in process.stdout:
            if line.startswith("PHASE "):
                name = line.split()[1]
                marks[name] = (
                    time.monotonic(),
                    [servers.cpu_seconds(p) for p in pids],
                    servers.cpu_seconds(process.pid),
                    servers.machine_busy_seconds(),
                )
                if probe is not None and name == "measure":
                    probed = probe()
                if PROFILE and name == profile_phase:
                    spies = start_profile(pids, f"{config['label']}-{name}")
                elif spies:
                    stop_profile(spies)
                    spies = []
            if time.monotonic() > deadline:
                break
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if spies:
            stop_profile(spies)
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode != 0 or not out_path.exists():
        error = process.stderr.read()[-3000:]
        raise RuntimeError(f"load.mjs failed ({process.returncode}): {error}")
    result = json.loads(out_path.read_text())
    result["probe"] = probed
    memory = [servers.memory_mb(p) for p in pids]
    result["server_rss_mb"] = sum(m[0] for m in memory)
    result["server_peak_mb"] = sum(m[1] for m in memory)
    # Issue 17, target 4: what each connected member costs the servers above their idle size.
    result["server_idle_mb"] = idle_mb
    result["kb_per_socket"] = (result["server_rss_mb"] - idle_mb) * 1024 / max(1, result["clients"])
    if "measure" in marks and "drain" in marks:
        (t0, cpu0, node0, all0), (t1, cpu1, node1, all1) = marks["measure"], marks["drain"]
        wall = max(t1 - t0, 1e-6)
        server_cpu = sum(b - a for a, b in zip(cpu0, cpu1, strict=True))
        result["server_cpu_pct"] = 100 * server_cpu / wall
        # CPU seconds the servers spent on the work: unlike wall-clock latency, this hardly moves
        # when other jobs share the machine (compare variants by it on a busy machine).
        result["server_cpu_s"] = server_cpu
        result["server_cpu_pct_each"] = [
            100 * (b - a) / wall for a, b in zip(cpu0, cpu1, strict=True)
        ]
        result["client_cpu_pct"] = 100 * (node1 - node0) / wall
        # What the rest of the machine used meanwhile (other jobs sharing the 2 cores).
        result["other_cpu_pct"] = 100 * ((all1 - all0) - server_cpu - (node1 - node0)) / wall
        result["measure_s"] = wall
    return result


def node_config(
    scenario: Scenario, mode: str, urls: list[str], rooms: list[dict], duration: float
) -> dict:
    return {
        "label": f"{scenario.name}-{mode}",
        "mode": mode,
        "kind": "steady" if scenario.kind == "joins" else scenario.kind,
        "urls": urls,
        "rooms": rooms,
        "rate": scenario.rate,
        "duration": JOINS_DURATION if scenario.kind == "joins" else duration,
        "drain": 10,
        "burst_window": 1,
        "connect_batch": 50,
        "hard_limit": 900,
    }


def run_bare(scenario: Scenario, compression: bool, duration: float, folder: Path) -> dict:
    rooms = [
        {"id": f"room{r}", "chair": 0, "members": [{} for _ in range(scenario.size)]}
        for r in range(scenario.rooms)
    ]
    queue = REDIS_URL if scenario.processes > 1 else None
    with servers.bare(folder, compression, scenario.processes, queue) as running:
        config = node_config(scenario, "bare", [s.url for s in running], rooms, duration)
        return run_node(config, folder, [s.process.pid for s in running], 900)


@contextlib.contextmanager
def database(scenario: Scenario, folder: Path):
    """A fresh SQLite file (one process) or PostgreSQL database (several processes)."""
    if scenario.processes == 1:
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    from tests.scale import pg

    url = pg.create_database()
    try:
        yield url
    finally:
        pg.drop_database(url)


def run_chibo(scenario: Scenario, compression: bool, duration: float, folder: Path) -> dict:
    secret_key = secrets.token_hex(32)
    with database(scenario, folder) as url:
        instance = str(folder / "setup")
        started = time.monotonic()
        rooms = chibo_data.populate(
            url,
            secret_key,
            instance,
            scenario.rooms,
            scenario.size,
            present_all=scenario.kind == "burst",
        )
        setup_s = time.monotonic() - started
        node_rooms = [
            {
                "id": room.meeting_id,
                "itemId": room.item_id,
                "chair": room.chair,
                "members": [
                    {
                        "cookie": m.cookie,
                        "user_id": m.user_id,
                        "present": m.present,
                        "voter": m.voter,
                    }
                    for m in room.members
                ],
            }
            for room in rooms
        ]
        queue = REDIS_URL if scenario.processes > 1 else None
        with servers.chibo(
            folder, url, secret_key, compression, scenario.processes, queue
        ) as running:
            config = node_config(scenario, "chibo", [s.url for s in running], node_rooms, duration)
            result = run_node(config, folder, [s.process.pid for s in running], 900)
        result["setup_s"] = setup_s
        if scenario.kind == "burst":
            result["recorded"] = chibo_data.count_ballots(url, secret_key, instance)
    return result


KEEP: dict = {}  # --keep: leave each run's folder (server logs, config, result) in /tmp


def run_variant(scenario: Scenario, variant: str, duration: float) -> dict:
    keep = contextlib.nullcontext(tempfile.mkdtemp(prefix="chibo-bench-")) if KEEP else None
    with keep or tempfile.TemporaryDirectory(prefix="chibo-bench-") as tmp:
        folder = Path(tmp)
        if KEEP:
            print(f"  run folder: {folder}", flush=True)
        try:
            if variant.startswith("bare"):
                return run_bare(scenario, variant == "bare", duration, folder)
            return run_chibo(scenario, variant == "chibo-c", duration, folder)
        except Exception as exc:  # a failed run is reported, the others go on
            logs = "\n".join(p.read_text(errors="replace")[-1500:] for p in folder.glob("*.log"))
            return {"failure": f"{exc}\n{logs}"}


# ---- figures -------------------------------------------------------------------------------------


def median_run(runs: list[dict]) -> dict:
    """The run with the median p99 (so every figure of a row comes from one real run)."""
    good = [r for r in runs if not r.get("failure") and r.get("latency_ms")]
    if not good:
        return runs[0]
    good.sort(key=lambda r: r["latency_ms"]["p99"])
    chosen = dict(good[len(good) // 2])
    chosen["runs"] = len(runs)
    chosen["p99_all_runs"] = [round(r["latency_ms"]["p99"], 1) for r in good]
    return chosen


def fmt(value, digits=1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def row(scenario: str, variant: str, r: dict, bare: dict | None) -> str:
    if r.get("failure"):
        first = r["failure"].splitlines()[0][:80]
        return f"| {scenario} | {variant} | failed: {first} |" + " |" * 12
    lat = r["latency_ms"] or {}
    ratio = "—"
    if bare and bare.get("latency_ms") and lat and not variant.startswith("bare"):
        b = bare["latency_ms"]
        ratio = f"{lat['p50'] / b['p50']:.2f} / {lat['p99'] / b['p99']:.2f}"
    burst = r.get("burst") or {}
    votes = "—"
    tally = "—"
    if burst:
        recorded = "—"
        if r.get("recorded"):
            # Ballots counted; a vote whose voters differ from its ballots says so (never seen).
            recorded = "+".join(
                str(v["ballots"]) + ("" if v["ballots"] == v["voters"] else f"≠{v['voters']}")
                for v in r["recorded"].values()
            )
        elif variant.startswith("bare"):
            recorded = str(burst["casts_ok"])
        votes = f"{recorded} / {burst['casts_ok']}"
        tally = (
            f"{fmt(burst['tally_last_from_start_ms'] / 1000, 2)} s "
            f"({burst['clients_with_tally']}/{r['clients']})"
            if burst["tally_last_from_start_ms"] is not None
            else "none"
        )
    connect = f"{fmt(r['connect_all_ms'] / 1000, 1)} s"
    return (
        f"| {scenario} | {variant} | {fmt(lat.get('p50'))} | {fmt(lat.get('p95'))} | "
        f"{fmt(lat.get('p99'))} | {fmt(lat.get('max'))} | {ratio} | "
        f"{r['lost'] + r['gaps']} | {r['deliveries']} | {votes} | {tally} | {connect} | "
        f"{fmt(r.get('server_cpu_pct'), 0)} % | {fmt(r.get('server_rss_mb'), 0)} MB | "
        f"{fmt(r.get('other_cpu_pct'), 0)} % |"
    )


HEADER = (
    "| scenario | server | p50 ms | p95 ms | p99 ms | max ms | ratio to bare p50 / p99 | lost | "
    "deliveries | votes recorded / cast | final tally, all clients | connect all | "
    "server CPU | server RSS | other jobs' CPU |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def table(results: dict[str, dict[str, dict]]) -> str:
    lines = [HEADER]
    for scenario, variants in results.items():
        bare = variants.get("bare")
        for variant, r in variants.items():
            lines.append(row(scenario, variant, r, bare))
    return "\n".join(lines)


JOINS_HEADER = (
    "| scenario | server | all clients joined | ratio to bare-nc | join ack p50 / p99 ms | "
    "joined | lost | server CPU | server RSS (idle) | KB per socket | other jobs' CPU |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def joins_table(results: dict[str, dict[str, dict]]) -> str:
    """Connecting and joining every client: the time until the last join's ack, side by side."""
    lines = [JOINS_HEADER]
    for scenario, variants in results.items():
        base = variants.get("bare-nc") or variants.get("bare")
        for variant, r in variants.items():
            if r.get("failure"):
                lines.append(f"| {scenario} | {variant} | failed |" + " |" * 8)
                continue
            ratio = "—"
            if base and base is not r and not base.get("failure"):
                ratio = f"{r['connect_all_ms'] / base['connect_all_ms']:.2f}×"
            join = r.get("join_ms") or {}
            lines.append(
                f"| {scenario} | {variant} | {fmt(r['connect_all_ms'] / 1000, 2)} s | {ratio} | "
                f"{fmt(join.get('p50'))} / {fmt(join.get('p99'))} | "
                f"{r['joined']}/{r['clients']} | {r['lost'] + r['gaps']} | "
                f"{fmt(r.get('server_cpu_pct'), 0)} % | {fmt(r.get('server_rss_mb'), 0)} MB "
                f"({fmt(r.get('server_idle_mb'), 0)} MB) | {fmt(r.get('kb_per_socket'), 0)} | "
                f"{fmt(r.get('other_cpu_pct'), 0)} % |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="chibo load benchmark (not a test).")
    parser.add_argument(
        "--scenario",
        default="all",
        help="all, one-process, joins, redis, or names: " + ", ".join(SCENARIOS),
    )
    parser.add_argument(
        "--variants",
        default=None,
        help="comma-separated: bare,bare-nc,chibo,chibo-c (default: all)",
    )
    parser.add_argument("--runs", type=int, default=1, help="runs per variant; the median is kept")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of steady load")
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    parser.add_argument(
        "--profile", type=Path, help="py-spy record the servers into this folder (collapsed stacks)"
    )
    parser.add_argument("--profile-phase", default="measure", choices=("connect", "measure"))
    parser.add_argument("--keep", action="store_true", help="keep each run's folder and logs")
    args = parser.parse_args(argv)
    if args.keep:
        KEEP["on"] = True
    if args.profile:
        PROFILE.update(dir=args.profile, phase=args.profile_phase)
    raise_file_limit()
    if not (NODE_DIR / "node_modules" / "socket.io-client").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)
    if args.scenario == "all":
        names = list(SCENARIOS)
    elif args.scenario == "one-process":
        names = [s.name for s in BASE]
    elif args.scenario == "joins":
        names = [s.name for s in BASE if s.kind == "joins"]
    elif args.scenario == "redis":
        names = [n for n in SCENARIOS if n.endswith("@redis")]
    else:
        names = args.scenario.split(",")
    chosen = args.variants.split(",") if args.variants else None
    results: dict[str, dict[str, dict]] = {}
    raw: dict[str, dict[str, list[dict]]] = {}
    for name in names:
        scenario = SCENARIOS[name]
        variants = CLUSTER_VARIANTS if scenario.processes > 1 else ONE_PROCESS_VARIANTS
        if chosen:
            variants = [v for v in variants if v in chosen]
        results[name], raw[name] = {}, {}
        for variant in variants:
            runs = []
            for index in range(args.runs):
                started = time.monotonic()
                r = run_variant(scenario, variant, args.duration)
                runs.append(r)
                lat = r.get("latency_ms") or {}
                print(
                    f"{name:>16} {variant:<8} run {index + 1}: p50 {fmt(lat.get('p50'))} "
                    f"p99 {fmt(lat.get('p99'))} max {fmt(lat.get('max'))} ms, lost "
                    f"{r.get('lost', '?')}+{r.get('gaps', '?')}, cpu "
                    f"{fmt(r.get('server_cpu_pct'), 0)}% = {fmt(r.get('server_cpu_s'), 2)} s, "
                    f"{time.monotonic() - started:.0f} s"
                    + (f"  FAILED: {r['failure'][:300]}" if r.get("failure") else ""),
                    flush=True,
                )
            raw[name][variant] = runs
            results[name][variant] = median_run(runs)
    print()
    print(table(results))
    print()
    print(joins_table(results))
    if args.json:
        args.json.write_text(
            json.dumps({"results": results, "runs": raw, "duration": args.duration}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
