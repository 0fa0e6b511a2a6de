// Load generator for bench/load.py: real Socket.IO clients (the reference socket.io-client).
//
//   node bench/node/load.mjs <config.json> <result.json>
//
// The config (written by bench/load.py) lists the servers, the rooms and, per room, its members
// (a session cookie for chibo). Every client connects over websocket (offering per-message
// compression, as browsers do), joins its room, and stamps each update it receives with
// performance.now(). Actors share the clock with the receivers (one process), so
// latency = receive time - send time, with no clock skew.
//
// mode "bare":  `act` {room, seq, t} is re-broadcast by the bare server as `act`.
// mode "chibo": real commands (check_in, cast_vote, minutes_edit; a secret ballot for the burst);
//               the ack gives the version v; every client must receive `changes` v.
// kind "steady": `rate` actions per second in total, round-robin over the rooms, for `duration` s.
// kind "burst":  every member of the (single) room casts once within `burst_window` s; then the
//               chair closes the vote (chibo) or sends a `tally` act (bare).
//
// Phases are printed on stdout (PHASE name) so the orchestrator can sample the server's CPU.
// Everything is bounded: connect, join and drain have timeouts; the process always exits.

import { io } from "socket.io-client";
import { readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";

const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const outPath = process.argv[3];
const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const phase = (name) => console.log(`PHASE ${name} ${Date.now()}`);
const CONNECT_TIMEOUT_MS = (cfg.connect_timeout ?? 120) * 1000;
const ACK_TIMEOUT_MS = 15000;

const hardStop = setTimeout(() => {
  console.error("load.mjs: hard time limit reached");
  process.exit(3);
}, (cfg.hard_limit ?? 600) * 1000);
hardStop.unref();

// ---- clients -----------------------------------------------------------------------------------

class Client {
  constructor(room, member, index, url) {
    this.room = room;
    this.member = member;
    this.index = index;
    this.url = url;
    this.received = new Map(); // chibo: version -> time; bare: seq -> time
    this.joinVersion = null;
    this.tallyAt = null; // burst: when the final tally arrived
    this.tallyCast = null;
    this.connectMs = null;
    this.joinMs = null;
    this.errors = 0;
  }

  open() {
    const extraHeaders = {};
    if (this.member.cookie) extraHeaders.Cookie = this.member.cookie;
    this.socket = io(this.url, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      timeout: CONNECT_TIMEOUT_MS,
      extraHeaders,
      // Behind nginx, the room's connection names its meeting: nginx picks the process from it.
      query: cfg.meetingQuery ? { meeting: String(this.room.id) } : {},
      origin: this.url, // a browser sends its page's origin; chibo accepts same-origin only
    });
    if (cfg.mode === "bare") {
      this.socket.on("act", (data) => {
        const t = now();
        this.received.set(data.seq, t);
        if (data.tally) this.tallyAt = t;
      });
    } else {
      this.socket.on("changes", (msg) => {
        const t = now();
        this.received.set(msg.v, t);
        for (const change of msg.changes) {
          if (change.type === "vote" && change.data.status === "closed" && this.tallyAt === null) {
            this.tallyAt = t;
            this.tallyCast = change.data.result ? change.data.result.cast : null;
          }
        }
      });
    }
    const started = now();
    return new Promise((resolve, reject) => {
      this.socket.once("connect", () => {
        this.connectMs = now() - started;
        resolve();
      });
      this.socket.once("connect_error", (err) => reject(new Error(`connect_error: ${err.message}`)));
    });
  }

  call(event, data) {
    return this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, data);
  }

  async join() {
    const started = now();
    if (cfg.mode === "bare") {
      await this.call("join", { room: this.room.id });
      this.joinVersion = 0;
    } else {
      const ack = await this.call("join", { meeting_id: this.room.id });
      if (!ack.ok) throw new Error(`join refused: ${JSON.stringify(ack.error)}`);
      this.joinVersion = ack.snapshot.version;
    }
    this.joinMs = now() - started;
  }

  close() {
    if (this.socket) this.socket.close();
  }
}

async function inBatches(items, size, fn) {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map(fn));
  }
}

// ---- actions -----------------------------------------------------------------------------------

const acts = []; // {room, kind, t0, key (version or seq), ok, ackMs, error}
let seq = 0;

function cid() {
  return randomBytes(9).toString("base64url");
}

async function chiboCommand(room, client, kind, name, payload) {
  const act = { room: room.id, kind, t0: now(), key: null, ok: false, ackMs: null, error: null };
  acts.push(act);
  try {
    const ack = await client.call("command", {
      meeting_id: room.id, name, cid: cid(), payload,
    });
    act.ackMs = now() - act.t0;
    if (ack.ok) {
      act.ok = true;
      act.key = ack.version;
      return ack;
    }
    act.error = ack.error ? ack.error.code : "refused";
  } catch (err) {
    act.error = String(err.message || err);
  }
  return null;
}

async function bareAct(room, client, extra = {}) {
  const payload = { room: room.id, seq: seq++, t: now(), ...extra };
  const act = { room: room.id, kind: extra.tally ? "tally" : "act", t0: payload.t, key: payload.seq,
    ok: false, ackMs: null, error: null };
  acts.push(act);
  try {
    await client.call("act", payload);
    act.ok = true;
    act.ackMs = now() - act.t0;
  } catch (err) {
    act.error = String(err.message || err);
  }
  return act;
}

// Per room, what the next chibo action is: check-ins until everyone is in, a raised hand changed,
// a minutes edit by the minute-taker (one at a time: it carries the revision it saw).
function chiboPlanner(room) {
  const kinds = ["check_in", "cast_vote", "minutes_edit"];
  let turn = 0;
  let voter = 0;
  let revision = 0;
  let editing = false;
  const absent = room.clients.filter((c) => !c.member.present);
  const voters = room.clients.filter((c) => c.member.voter);
  const chair = room.clients[room.chair];
  return () => {
    for (let attempt = 0; attempt < kinds.length; attempt++) {
      const kind = kinds[turn++ % kinds.length];
      if (kind === "check_in" && absent.length) {
        const client = absent.shift();
        return chiboCommand(room, client, kind, "check_in", {});
      }
      if (kind === "cast_vote" && voters.length && room.voteId) {
        const client = voters[voter++ % voters.length];
        const choice = ["agree", "disagree", "abstain"][voter % 3];
        return chiboCommand(room, client, kind, "cast_vote", {
          vote_id: room.voteId, choices: [choice],
        });
      }
      if (kind === "minutes_edit" && !editing) {
        editing = true;
        const html = `<p>Ý kiến thảo luận ${revision + 1}: đồng chí phát biểu về nghị quyết.</p>`;
        return chiboCommand(room, chair, kind, "minutes_edit", {
          item_id: room.itemId, base_revision: revision, html,
        }).then((ack) => {
          if (ack) revision = ack.result.revision;
          editing = false;
        });
      }
    }
    return Promise.resolve();
  };
}

async function steady(rooms) {
  const planners = rooms.map((room) => (cfg.mode === "bare"
    ? () => bareAct(room, room.clients[Math.floor(Math.random() * room.clients.length)])
    : chiboPlanner(room)));
  const total = Math.round(cfg.rate * cfg.duration);
  const pending = [];
  const start = now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / cfg.rate;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    pending.push(planners[i % planners.length]());
  }
  await Promise.all(pending);
}

async function burst(room) {
  const window = (cfg.burst_window ?? 1) * 1000;
  const chair = room.clients[room.chair];
  const start = now();
  const casts = room.clients.map(async (client) => {
    await sleep(Math.random() * window);
    if (cfg.mode === "bare") return bareAct(room, client);
    return chiboCommand(room, client, "cast_vote", "cast_vote", {
      vote_id: room.voteId,
      choices: [["agree", "disagree", "abstain"][client.index % 3]],
      receipt_hash: randomBytes(32).toString("hex"),
    });
  });
  await Promise.all(casts);
  const allCastMs = now() - start;
  const closeT0 = now();
  if (cfg.mode === "bare") {
    await bareAct(room, chair, { tally: true });
  } else {
    await chiboCommand(room, chair, "close_vote", "close_vote", { vote_id: room.voteId });
  }
  const deadline = now() + cfg.drain * 1000;
  while (room.clients.some((c) => c.tallyAt === null) && now() < deadline) await sleep(20);
  const tallies = room.clients.filter((c) => c.tallyAt !== null).map((c) => c.tallyAt);
  return {
    all_cast_ms: allCastMs,
    clients_with_tally: tallies.length,
    tally_last_from_start_ms: tallies.length ? Math.max(...tallies) - start : null,
    tally_last_from_close_ms: tallies.length ? Math.max(...tallies) - closeT0 : null,
    tally_cast_seen: [...new Set(room.clients.map((c) => c.tallyCast))],
    casts_ok: acts.filter((a) => a.kind !== "tally" && a.kind !== "close_vote" && a.ok).length,
    casts_refused: acts.filter((a) => a.kind !== "tally" && a.kind !== "close_vote" && !a.ok).length,
  };
}

// ---- results -----------------------------------------------------------------------------------

function deliveries(rooms) {
  const latencies = [];
  const perKind = {};
  const perSecond = [];
  let lost = 0;
  let gaps = 0;
  const byId = new Map(rooms.map((r) => [r.id, r]));
  for (const act of acts) {
    if (!act.ok) continue;
    for (const client of byId.get(act.room).clients) {
      const t = client.received.get(act.key);
      if (t === undefined) {
        lost++;
      } else {
        const ms = Math.max(0, t - act.t0);
        latencies.push(ms);
        (perKind[act.kind] ??= []).push(ms);
        const second = Math.floor((act.t0 - acts[0].t0) / 1000);
        perSecond[second] = Math.max(perSecond[second] ?? 0, ms);
      }
    }
  }
  if (cfg.mode === "chibo") {
    // Every version after the join snapshot must have arrived, in a run with no gap.
    for (const room of rooms) {
      for (const client of room.clients) {
        const versions = [...client.received.keys()].sort((a, b) => a - b);
        let expect = client.joinVersion + 1;
        for (const v of versions) {
          if (v > expect) gaps += v - expect;
          expect = Math.max(expect, v + 1);
        }
      }
    }
  }
  return { latencies, lost, gaps, perKind, perSecond };
}

function summary(values) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1] };
}

async function main() {
  const rooms = cfg.rooms.map((r) => ({ ...r, clients: [] }));
  let n = 0;
  rooms.forEach((room, r) => {
    room.members.forEach((member, index) => {
      // "room": every client of a meeting on one URL (meetings round-robin over the URLs);
      // default: clients round-robin over the URLs.
      const url = cfg.route === "room" ? cfg.urls[r % cfg.urls.length] : cfg.urls[n++ % cfg.urls.length];
      room.clients.push(new Client(room, member, index, url));
    });
  });
  const everyone = rooms.flatMap((r) => r.clients);
  phase("connect");
  const connectStart = now();
  let failure = null;
  try {
    await inBatches(everyone, cfg.connect_batch ?? 50, async (c) => {
      await c.open();
      await c.join();
    });
  } catch (err) {
    failure = `connect/join: ${err.message}`;
  }
  const connectAllMs = now() - connectStart;
  let burstResult = null;
  if (!failure) {
    phase("setup");
    if (cfg.mode === "chibo") {
      for (const room of rooms) {
        const chair = room.clients[room.chair];
        const ack = await chiboCommand(room, chair, "open_vote", "open_vote", {
          kind: "resolution", method: cfg.kind === "burst" ? "secret" : "show_of_hands",
        });
        if (!ack) {
          failure = `open_vote refused in meeting ${room.id}: ${acts[acts.length - 1].error}`;
          break;
        }
        room.voteId = ack.result.vote_id;
      }
    }
    await sleep(1000);
    acts.length = 0; // setup commands are not measured
  }
  if (!failure) {
    phase("measure");
    if (cfg.kind === "burst") burstResult = await burst(rooms[0]);
    else await steady(rooms);
    phase("drain");
    // Wait (bounded) until every acknowledged action reached every client of its room.
    const deadline = now() + cfg.drain * 1000;
    const complete = () => acts.every((a) => !a.ok || rooms.find((r) => r.id === a.room)
      .clients.every((c) => c.received.has(a.key)));
    while (!complete() && now() < deadline) await sleep(50);
    phase("done");
  }
  const { latencies, lost, gaps, perKind, perSecond } = failure
    ? { latencies: [], lost: 0, gaps: 0, perKind: {}, perSecond: [] }
    : deliveries(rooms);
  const result = {
    failure,
    clients: everyone.length,
    connected: everyone.filter((c) => c.connectMs !== null).length,
    joined: everyone.filter((c) => c.joinVersion !== null).length,
    connect_all_ms: connectAllMs,
    connect_ms: summary(everyone.filter((c) => c.connectMs !== null).map((c) => c.connectMs)),
    join_ms: summary(everyone.filter((c) => c.joinMs !== null).map((c) => c.joinMs)),
    acts: acts.length,
    acts_ok: acts.filter((a) => a.ok).length,
    act_errors: [...new Set(acts.filter((a) => !a.ok).map((a) => a.error))].slice(0, 5),
    ack_ms: summary(acts.filter((a) => a.ok).map((a) => a.ackMs)),
    by_kind: Object.fromEntries([...new Set(acts.map((a) => a.kind))]
      .map((k) => [k, acts.filter((a) => a.kind === k && a.ok).length])),
    deliveries: latencies.length,
    lost,
    gaps,
    latency_ms: summary(latencies),
    latency_by_kind_ms: Object.fromEntries(Object.entries(perKind).map(([k, v]) => [k, summary(v)])),
    ack_by_kind_ms: Object.fromEntries([...new Set(acts.map((a) => a.kind))].map((k) => [k,
      summary(acts.filter((a) => a.kind === k && a.ok).map((a) => a.ackMs))])),
    max_per_second_ms: perSecond.map((v) => Math.round(v ?? 0)),
    burst: burstResult,
  };
  writeFileSync(outPath, JSON.stringify(result));
  for (const c of everyone) c.close();
  clearTimeout(hardStop);
  setTimeout(() => process.exit(0), 200).unref();
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
