#!/usr/bin/env python3
"""Scheduler quality and scale, in one run.

Generates realistic matchmaking instances (buyers and sellers, Zipf-popular sellers, partial
availability, per-session caps, fixed booths for some hosts), runs TransferHub's scheduler on
each through the `schedule-bench` binary, solves the same instances exactly as an integer
program with HiGHS (highspy, PyPI), and prints our total priority / optimum. For the scale
instance (2,000 participants, 12 slots, 10,000 accepted requests) it reports our time and the
LP-relaxation bound on the optimum (plus the MIP bound HiGHS reaches in the time limit).

With `--person-caps F` (issue 19) a fraction F of the participants also get their own caps: an
overall `max_meetings` (2–6) and, independently with the same fraction, a `max_per_session`
(2–4, under the session cap of 5); the base instances stay the same (the caps come from their
own random stream), and the integer program gets the matching rows.

Usage: compare.py BENCH_BIN [--mip-time-limit SECONDS] [--sizes 50,200,500] [--person-caps 0.3]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import highspy
import numpy as np

SLOTS_PER_SESSION = 6
SESSIONS = 2
SESSION_CAP = 5


def generate(n, seed, requests_per_participant=2.5, n_requests=None, person_caps=0.0):
    """A buyer/seller event: 40% sellers (universities, institutes), 60% buyers (firms);
    with `person_caps` > 0, that fraction of participants gets own caps (see the module doc)."""
    rng = random.Random(seed)
    n_slots = SLOTS_PER_SESSION * SESSIONS
    slots = [{"session": s // SLOTS_PER_SESSION} for s in range(n_slots)]
    sellers = list(range(int(n * 0.4)))
    buyers = list(range(len(sellers), n))
    participants = []
    for p in range(n):
        r = rng.random()
        if r < 0.15:
            avail = list(range(0, SLOTS_PER_SESSION))  # morning only
        elif r < 0.30:
            avail = list(range(SLOTS_PER_SESSION, n_slots))  # afternoon only
        elif r < 0.45:
            drop = set(rng.sample(range(n_slots), 2))  # misses two slots
            avail = [s for s in range(n_slots) if s not in drop]
        else:
            avail = list(range(n_slots))
        participants.append({"available": avail, "booth": None})
    tables = max(2, n // 4)
    # A tenth of the sellers host at fixed booths.
    hosts = sellers[: max(1, len(sellers) // 10)]
    for i, h in enumerate(hosts):
        participants[h]["booth"] = i
    # Zipf-like popularity of sellers: a few are wanted by many buyers.
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(sellers))]
    target = n_requests if n_requests is not None else int(n * requests_per_participant)
    seen = set()
    meetings = []
    while len(meetings) < target:
        b = rng.choice(buyers)
        s = rng.choices(sellers, weights)[0]
        if (b, s) in seen:
            continue
        seen.add((b, s))
        # Priority 1–5: mutual interest, organiser's boost for strategic pairs.
        prio = rng.choices([1, 2, 3, 4, 5], [30, 25, 20, 15, 10])[0]
        if rng.random() < 0.5:
            meetings.append({"a": b, "b": s, "priority": prio, "previous": None})
        else:
            meetings.append({"a": s, "b": b, "priority": prio, "previous": None})
    if person_caps > 0:
        crng = random.Random(seed * 31 + 19)
        for p in participants:
            if crng.random() < person_caps:
                p["max_meetings"] = crng.randint(2, 6)
            if crng.random() < person_caps:
                p["max_per_session"] = crng.randint(2, 4)
    return {
        "slots": slots,
        "session_caps": [SESSION_CAP] * SESSIONS,
        "tables": tables,
        "participants": participants,
        "meetings": meetings,
    }


def build_model(inst, integer):
    """max Σ w·x  s.t. each meeting once; each participant once per slot; per session the
    smaller of the session cap and the participant's own; the participant's overall cap; pool
    tables per slot (booth meetings sit at their host's booth)."""
    parts = inst["participants"]
    n_slots = len(inst["slots"])
    booths = sum(1 for p in parts if p["booth"] is not None)
    pool_cap = inst["tables"] - booths
    avail = [set(p["available"]) for p in parts]
    cols = []  # (meeting, slot)
    for m, r in enumerate(inst["meetings"]):
        for s in range(n_slots):
            if s in avail[r["a"]] and s in avail[r["b"]]:
                cols.append((m, s))
    rows = {}

    def row(key, cap):
        if key not in rows:
            rows[key] = (len(rows), cap)
        return rows[key][0]

    entries = []  # (row, col)
    for j, (m, s) in enumerate(cols):
        r = inst["meetings"][m]
        entries.append((row(("m", m), 1), j))
        sess = inst["slots"][s]["session"]
        for p in (r["a"], r["b"]):
            entries.append((row(("ps", p, s), 1), j))
            caps = [inst["session_caps"][sess], parts[p].get("max_per_session")]
            caps = [c for c in caps if c is not None]
            if caps:
                entries.append((row(("cap", p, sess), min(caps)), j))
            own = parts[p].get("max_meetings")
            if own is not None:
                entries.append((row(("own", p), own), j))
        if parts[r["b"]]["booth"] is None and parts[r["a"]]["booth"] is None:
            entries.append((row(("pool", s), pool_cap), j))
    n_col, n_row = len(cols), len(rows)
    entries.sort(key=lambda e: (e[1], e[0]))
    start = np.zeros(n_col + 1, dtype=np.int32)
    for _, j in entries:
        start[j + 1] += 1
    start = np.cumsum(start).astype(np.int32)
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    lp.col_cost_ = np.array([inst["meetings"][m]["priority"] for m, _ in cols], dtype=np.float64)
    lp.col_lower_ = np.zeros(n_col)
    lp.col_upper_ = np.ones(n_col)
    caps = [0.0] * n_row
    for _, (i, cap) in rows.items():
        caps[i] = float(cap)
    lp.row_lower_ = np.full(n_row, -highspy.kHighsInf)
    lp.row_upper_ = np.array(caps)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = np.array([i for i, _ in entries], dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(entries))
    lp.sense_ = highspy.ObjSense.kMaximize
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n_col
    return lp, n_col, n_row


def solve(inst, integer, time_limit):
    lp, n_col, n_row = build_model(inst, integer)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 1e-6)
    h.setOptionValue("threads", 2)
    h.passModel(lp)
    t = time.perf_counter()
    h.run()
    elapsed = time.perf_counter() - t
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    if integer:
        return {
            "status": status,
            "objective": info.objective_function_value,
            "bound": info.mip_dual_bound,
            "gap": info.mip_gap,
            "seconds": elapsed,
            "vars": n_col,
            "rows": n_row,
        }
    return {"status": status, "objective": info.objective_function_value, "seconds": elapsed}


def ours(bench, inst):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(inst, f)
        path = f.name
    try:
        out = subprocess.run([bench, path], check=True, capture_output=True, text=True)
    finally:
        os.unlink(path)
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bench")
    ap.add_argument("--mip-time-limit", type=float, default=600)
    ap.add_argument("--sizes", default="50,200,500")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--person-caps", type=float, default=0.0,
                    help="fraction of participants with their own caps (issue 19); 0 = none")
    ap.add_argument("--scale-mip-time-limit", type=float, default=0,
                    help="also run the MIP on the scale instance for this long (0 = LP bound only)")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; highspy {highspy.Highs().version()}; "
          f"person caps on {args.person_caps:.0%} of participants")
    print("| participants | requests | slots | tables | ILP vars | ours | optimum (HiGHS) | ours ÷ optimum | our time | HiGHS time |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    worst = 1.0
    for n in [int(x) for x in args.sizes.split(",")]:
        for seed in range(args.seeds):
            inst = generate(n, seed=1000 * n + seed, person_caps=args.person_caps)
            r = ours(args.bench, inst)
            exact = solve(inst, True, args.mip_time_limit)
            opt = exact["objective"]
            # When HiGHS stops at its time limit, divide by its bound: a ratio that can only be low.
            denom = opt if exact["status"] == "Optimal" else exact["bound"]
            ratio = r["total_priority"] / denom if denom else 1.0
            worst = min(worst, ratio)
            label = f"{opt:.0f}" if exact["status"] == "Optimal" else f"{opt:.0f} (bound {exact['bound']:.0f}, {exact['status']})"
            print(
                f"| {n} | {len(inst['meetings'])} | {len(inst['slots'])} | {inst['tables']} | {exact['vars']} "
                f"| {r['total_priority']} | {label} | {ratio:.4f} | {r['median_ms']:.1f} ms | {exact['seconds']:.1f} s |",
                flush=True,
            )
    print(f"\nworst ratio ours/optimum: {worst:.4f}")
    if args.skip_scale:
        return
    n = 2000
    inst = generate(n, seed=2026, n_requests=10000, person_caps=args.person_caps)
    r = ours(args.bench, inst)
    lp = solve(inst, False, args.mip_time_limit)
    mip = solve(inst, True, args.scale_mip_time_limit) if args.scale_mip_time_limit > 0 else None
    best_bound = min(lp["objective"], r["upper_bound"])
    if mip and mip["bound"] == mip["bound"] and abs(mip["bound"]) != float("inf"):
        best_bound = min(best_bound, mip["bound"])
    print("\n## scale")
    print(f"participants {n}, slots {len(inst['slots'])}, tables {inst['tables']}, accepted requests {len(inst['meetings'])}")
    print(f"ours: total priority {r['total_priority']}, placed {r['placed']}, unplaced {r['unplaced']}, "
          f"median {r['median_ms']:.1f} ms, max {r['max_ms']:.1f} ms over {r['runs']} runs, verified {r['verified']}")
    print(f"bounds on the optimum: LP relaxation {lp['objective']:.1f} ({lp['seconds']:.1f} s); "
          f"combinatorial bound {r['upper_bound']}")
    if mip:
        print(f"HiGHS MIP {mip['status']}: incumbent {mip['objective']}, bound {mip['bound']} ({mip['seconds']:.1f} s)")
    print(f"ours ÷ best bound: {r['total_priority'] / best_bound:.4f} (a lower bound on ours ÷ optimum)")


if __name__ == "__main__":
    sys.exit(main())
