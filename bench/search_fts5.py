#!/usr/bin/env python3
"""SQLite FTS5 (trigram) baseline for bench/search.sh, on the same achievements and queries.

Builds an FTS5 trigram index over title, keywords and summary of the hub's SQLite store (in a
separate file, so its size is the index's), then runs each query class for DURATION seconds from
CONNS threads, each request doing what the hub does: the 20 best PUBLISHED matches by bm25 plus
counts by type, industry section and maturity over every match. Prints RESULT lines.
Usage: search_fts5.py HUB_DB WORK_DIR DURATION CONNS QUERIES_FILE
"""
import os
import sqlite3
import sys
import threading
import time

hub_db, work, duration, conns, queries_file = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
fts_db = os.path.join(work, "fts5.db")

# CROSS JOIN keeps the FTS match as the outer loop (SQLite would otherwise scan achievements).
TOP = """SELECT a.id, a.title FROM fts CROSS JOIN h.achievements a ON a.id = fts.rowid
         WHERE fts MATCH ? AND a.status = 'PUBLISHED' ORDER BY rank LIMIT 20"""
FACETS = """WITH m AS MATERIALIZED (
             SELECT a.achievement_type AS t, a.industry_section AS s, a.trl AS r
             FROM fts CROSS JOIN h.achievements a ON a.id = fts.rowid
             WHERE fts MATCH ? AND a.status = 'PUBLISHED')
           SELECT 'type', t, count(*) FROM m GROUP BY t
           UNION ALL SELECT 'section', s, count(*) FROM m GROUP BY s
           UNION ALL SELECT 'maturity', r, count(*) FROM m GROUP BY r"""


def connect():
    c = sqlite3.connect(fts_db, check_same_thread=False)
    c.execute("ATTACH DATABASE ? AS h", (hub_db,))
    c.execute("PRAGMA query_only = 1")
    return c


def build():
    if os.path.exists(fts_db):
        os.remove(fts_db)
    c = sqlite3.connect(fts_db)
    c.execute("ATTACH DATABASE ? AS h", (hub_db,))
    c.execute("CREATE VIRTUAL TABLE fts USING fts5(title, keywords, summary, tokenize='trigram')")
    n = c.execute("SELECT count(*) FROM h.achievements").fetchone()[0]
    t0 = time.time()
    c.execute("INSERT INTO fts(rowid, title, keywords, summary) SELECT id, title, keywords, summary FROM h.achievements")
    c.commit()
    c.execute("INSERT INTO fts(fts) VALUES('optimize')")
    c.commit()
    secs = time.time() - t0
    c.close()
    size = os.path.getsize(fts_db)
    print(f"RESULT fts5_build docs={n} seconds={secs:.1f} docs_per_s={n / secs:.0f} index_mib={size / 1048576:.1f}", flush=True)


def match_expr(q):
    return " ".join('"' + t.replace('"', '""') + '"' for t in q.split())


def run(terms, queries):
    latencies = []
    lock = threading.Lock()
    stop = time.time() + duration
    errors = [0]

    def worker(k):
        c = connect()
        i = k
        mine = []
        while time.time() < stop:
            q = match_expr(queries[i % len(queries)])
            i += 1
            t0 = time.perf_counter()
            try:
                c.execute(TOP, (q,)).fetchall()
                rows = c.execute(FACETS, (q,)).fetchall()
                sum(r[2] for r in rows if r[0] == "type")
            except sqlite3.Error:
                errors[0] += 1
            mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            latencies.extend(mine)
        c.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - t0
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] if latencies else float("nan")
    print(f"RESULT fts5 terms={terms} requests={len(latencies)} rps={len(latencies) / wall:.0f} "
          f"p50_ms={pct(50):.2f} p90_ms={pct(90):.2f} p99_ms={pct(99):.2f} max_ms={latencies[-1] if latencies else 0:.2f} errors={errors[0]}",
          flush=True)


def main():
    build()
    classes = {}
    for line in open(queries_file, encoding="utf-8"):
        if line.startswith("#") or "\t" not in line:
            continue
        n, q = line.rstrip("\n").split("\t", 1)
        classes.setdefault(n, []).append(q)
    c = connect()
    for qs in classes.values():
        for q in qs:
            hits = c.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (match_expr(q),)).fetchone()[0]
            print(f"INFO fts5 matches {hits:>8}  {q}", flush=True)
    c.close()
    for n in sorted(classes):
        run(n, classes[n])


main()
