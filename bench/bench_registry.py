"""The registry at 100,000 tracked threads: adding them, `list --json`, and searching an
archive of 100,000 messages, each against plain sqlite3 doing the same work.

- add: `Registry.add_many` of 100,000 generated threads into a new registry, vs one
  `executemany` of the same rows (and their tags) into an empty file of the same schema,
  in one transaction: the floor for writing them.
- list --json: the real command in a fresh process, vs a fresh `python -c` that reads the
  same rows with sqlite3 and prints them as indented JSON (and `python -c pass`, the cost
  of any start).
- search: `threadtui.core.search.search` (best 50, with snippets and titles) over an
  archive of 100,000 messages in 1,000 threads, vs the bare FTS5 query ranking the same
  matches (`MATCH … ORDER BY rank LIMIT 50`), over a few kinds of query.
Each figure is the median of several runs.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, Row, median, ms, ratio, timed
from bench.world import NOW, services_at, thread_rows

NAME = "registry"
FULL = {"threads": 100_000, "archive_threads": 1_000, "per_thread": 100, "runs": 5}
SMOKE = {"threads": 1_000, "archive_threads": 20, "per_thread": 50, "runs": 1}
QUERIES = ("refund", "invoice password", "zanzibar", "pass*", '"annual plan"')
VOCABULARY = [
    "the",
    "a",
    "to",
    "and",
    "of",
    "refund",
    "plan",
    "annual",
    "invoice",
    "order",
    "delivery",
    "account",
    "password",
    "reset",
    "thanks",
    "please",
    "help",
    "customer",
    "support",
    "billing",
    "charge",
    "card",
    "email",
    "address",
    "update",
    "question",
    "answer",
    "policy",
    "days",
    "within",
    "request",
    "issue",
    "ticket",
    "team",
    "shipping",
    "return",
]

READ_AS_JSON = """
import json, sqlite3, sys
db = sqlite3.connect("file:{path}?mode=ro", uri=True)
cursor = db.execute(
    "SELECT * FROM threads ORDER BY coalesce(last_activity_at, created_at, added_at) DESC, id DESC"
)
names = [d[0] for d in cursor.description]
sys.stdout.write(json.dumps([dict(zip(names, row)) for row in cursor], indent=2))
"""


def _median_time(runs: int, work) -> float:
    return median([timed(work)[0] for _ in range(runs)])


def _wall(argv: list[str], env: dict[str, str] | None = None) -> float:
    """Seconds for a fresh process to run to its end, its output read through a pipe."""
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[:3]} failed: {done.stderr.decode()[-500:]}")
    return time.perf_counter() - started


def measure_add(root: Path, threads: int, runs: int) -> tuple[float, float]:
    """(add_many seconds, executemany seconds), medians over fresh files."""
    from threadtui.core.store.registry import COLUMNS

    rows = list(thread_rows(threads))
    values = [
        tuple(
            json.dumps(v) if name == "metadata" else v
            for name, v in zip(COLUMNS, (*r[:5], *r[6:]), strict=True)
        )
        for r in rows
    ]
    tags = [(tag, r.id) for r in rows for tag in r.tags]
    empty = root / "empty"
    blank = services_at(empty)
    blank.registry.count()  # create the schema
    blank.close()  # and write it from the WAL into the file copied below
    schema_file = empty / "data" / "registry.sqlite3"

    add_times, floor_times = [], []
    for n in range(runs):
        services = services_at(root / f"add{n}")
        services.registry.count()  # the file and schema exist before timing, as for the floor
        started = time.perf_counter()
        services.registry.add_many(rows)
        add_times.append(time.perf_counter() - started)
        services.close()

        copy = root / f"floor{n}.sqlite3"
        shutil.copy(schema_file, copy)
        db = sqlite3.connect(copy, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        started = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            f"INSERT INTO threads ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
            values,
        )
        db.executemany("INSERT INTO tags (tag, thread_id) VALUES (?, ?)", tags)
        db.execute("COMMIT")
        floor_times.append(time.perf_counter() - started)
        db.close()
    return median(add_times), median(floor_times)


def measure_list(folder: Path, runs: int) -> tuple[float, float, float, int]:
    """(list --json, sqlite3 + json floor, python -c pass) seconds, and rows listed."""
    env = {
        "THREADTUI_CONFIG_DIR": str(folder / "config"),
        "THREADTUI_DATA_DIR": str(folder / "data"),
        "PATH": "/usr/bin:/bin",
    }
    command = [sys.executable, "-m", "threadtui", "list", "--json"]
    listed = len(json.loads(subprocess.run(command, cwd=ROOT, env=env, capture_output=True).stdout))
    path = folder / "data" / "registry.sqlite3"
    floor = [sys.executable, "-c", READ_AS_JSON.format(path=path)]
    cli = _median_time(runs, lambda: _wall(command, env))
    read = _median_time(runs, lambda: _wall(floor))
    bare = _median_time(runs, lambda: _wall([sys.executable, "-c", "pass"]))
    return cli, read, bare, listed


def fill_archive(folder: Path, threads: int, per_thread: int) -> int:
    """Archive `threads` transcripts of `per_thread` messages of generated prose."""
    from threadtui.api.models import Message, Part
    from threadtui.core.archive.store import ArchiveStore

    rng = random.Random(7)
    weights = [1 / (rank + 1) for rank in range(len(VOCABULARY))]  # Zipf-like
    services = services_at(folder)
    store = ArchiveStore(services.registry)
    for t in range(threads):
        thread_id = f"thread_arch{t:06d}"
        messages = []
        for m in range(per_thread):
            words = rng.choices(VOCABULARY, weights, k=rng.randrange(15, 60))
            if rng.random() < 0.001:
                words.append("zanzibar")  # a rare word
            messages.append(
                Message(
                    id=f"msg_{t:06d}{m:04d}",
                    thread_id=thread_id,
                    role="user" if m % 2 == 0 else "assistant",
                    created_at=int(NOW) - 86400 + 30 * m,
                    parts=(Part("text", " ".join(words).capitalize() + "."),),
                )
            )
        store.save(thread_id, messages, newest=True, oldest=True, profile="default")
    services.close()
    return threads * per_thread


def measure_search(folder: Path, runs: int) -> list[tuple[str, float, float, int]]:
    """Per query: (query, search() seconds, bare FTS5 seconds, hits)."""
    from threadtui.core.archive.search import fts_query, search

    services = services_at(folder)
    found = []
    try:
        registry = services.registry
        for query in QUERIES:
            hits = len(search(registry, query))
            ours = _median_time(runs * 3, lambda q=query: search(registry, q))

            def bare(q: str = query) -> None:
                with registry.reading() as db:
                    db.execute(
                        "SELECT rowid FROM archive_search WHERE archive_search MATCH ? "
                        "ORDER BY rank LIMIT 50",
                        (fts_query(q),),
                    ).fetchall()

            floor = _median_time(runs * 3, bare)
            found.append((query, ours, floor, hits))
    finally:
        services.close()
    return found


def run(smoke: bool = False) -> list[Row]:
    size = SMOKE if smoke else FULL
    threads, runs = int(size["threads"]), int(size["runs"])
    with tempfile.TemporaryDirectory(prefix="threadtui-bench-") as tmp:
        root = Path(tmp)
        add, add_floor = measure_add(root, threads, runs)
        cli, read, bare, listed = measure_list(root / "add0", runs)
        archived = fill_archive(root / "archive", size["archive_threads"], size["per_thread"])
        searches = measure_search(root / "archive", runs)
    search_ratio = median([ours / floor for _, ours, floor, _ in searches])
    worst = max(searches, key=lambda s: s[1] / s[2])
    label = f"registry, {threads:,} threads"
    return [
        Row(
            label,
            "add (Registry.add_many) vs sqlite3 executemany of the same rows",
            f"{ratio(add, add_floor)} ({ms(add)})",
            f"executemany, one transaction: {ms(add_floor)}",
            note="batches of 500 in short write transactions (other instances can write "
            "in between), each checking which IDs are new",
        ),
        Row(
            label,
            "`threadtui list --json` (fresh process) vs python + sqlite3 printing the same rows",
            f"{ratio(cli, read)} ({ms(cli)})",
            f"python -c + sqlite3 + json: {ms(read)}; python -c pass: {ms(bare)}",
            "",
            None,
            f"{listed:,} threads listed",
        ),
        Row(
            f"archive search, {archived:,} messages",
            "search() (best 50, snippets, titles) vs the bare FTS5 ranked query",
            f"{search_ratio:.2f}× (median of {len(searches)} queries)",
            "; ".join(f"{q}: {ms(ours)} vs {ms(floor)}" for q, ours, floor, _ in searches),
            note=f"slowest relative: {worst[0]} ({worst[3]} hits)",
        ),
    ]
