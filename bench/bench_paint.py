"""First paint: `threadtui` started in a fresh process until the sidebar shows its rows,
with 0, 1,000 and 100,000 tracked threads, against a bare Textual app showing one Static.

Each start is a new interpreter (imports included: that is what a user waits for), run
headless at 80x24 through the real `threadtui` command (`threadtui.cli.main`), timed from
just before the process is spawned to the first frame that carries the marks: the
sidebar's count ("Threads (100,000)") and the title of its first row. The runs are
interleaved (bare, 0, 1k, 100k, bare, …) so load from other processes spreads evenly; the
figure is the median. An API key is set, as for a real user, so the SDK warm-up that
follows the first paint is part of what runs; the child checks that `openai` was not
imported by the time of the paint.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from bench.common import Row, in_child, median, ms, ratio, timed
from bench.world import fill_registry, services_at

NAME = "paint"
FULL = {"sizes": (0, 1_000, 100_000), "rounds": 7, "warm_up": 1}
SMOKE = {"sizes": (0, 10, 100), "rounds": 1, "warm_up": 0}
BARE_TEXT = "Hello from a bare Textual app"
ZERO_TARGET = 1.3
BIG_TARGET = 1.5

CHILD = """
import json, os, sys, time
T0 = float(os.environ["BENCH_T0"])
MARKS = json.loads(os.environ["BENCH_MARKS"])
from textual.app import App
from bench.paint import watch
RESULT = {}

def seen(app, at, text):
    if not RESULT and all(mark in text for mark in MARKS):
        RESULT.update(seconds=time.monotonic() - T0, openai="openai" in sys.modules)
        app.call_later(app.exit)

watch(seen)
_run = App.run

def run(self, *args, **options):
    options.update(headless=True, size=(80, 24))
    return _run(self, *args, **options)

App.run = run
if os.environ.get("BENCH_BARE"):
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static(os.environ["BENCH_BARE"])

    Bare().run()
else:
    from threadtui.cli import main

    main([])
"""


def start(env: dict[str, str], marks: list[str]) -> dict:
    """One fresh start, timed from just before the spawn to the frame with `marks`."""
    env = {**env, "BENCH_MARKS": json.dumps(marks), "BENCH_T0": repr(time.monotonic())}
    found = in_child(CHILD, env=env, timeout=120)
    if "seconds" not in found:
        raise RuntimeError(f"the screen never showed {marks}")
    return found


def index_load(folder: Path) -> tuple[float, float]:
    """Seconds to build the sidebar's whole index, and to read only its first 100 rows
    (what a LIMIT query first would cost), each the best of three."""
    services = services_at(folder)
    try:
        whole = min(timed(services.thread_index)[0] for _ in range(3))
        first = min(
            timed(lambda: services.registry.tracked(order="activity", limit=100))[0]
            for _ in range(3)
        )
    finally:
        services.close()
    return whole, first


def run(smoke: bool = False) -> list[Row]:
    size = SMOKE if smoke else FULL
    sizes: tuple[int, ...] = size["sizes"]  # type: ignore[assignment]
    with tempfile.TemporaryDirectory(prefix="threadtui-bench-") as tmp:
        root = Path(tmp)
        starts: dict[str, tuple[dict[str, str], list[str]]] = {
            "bare": ({"BENCH_BARE": BARE_TEXT}, [BARE_TEXT])
        }
        for count in sizes:
            folder = root / str(count)
            first_title = fill_registry(folder, count)
            env = {
                "THREADTUI_CONFIG_DIR": str(folder / "config"),
                "THREADTUI_DATA_DIR": str(folder / "data"),
                "OPENAI_API_KEY": "sk-bench-placeholder",
                "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",  # never reached before the paint
            }
            marks = [f"Threads ({count:,})"] + ([first_title[:12]] if first_title else [])
            starts[str(count)] = (env, marks)
        times: dict[str, list[float]] = {name: [] for name in starts}
        openai_at_paint = False
        warm_up = int(size["warm_up"])  # rounds that only warm the disk cache
        for round_ in range(warm_up + int(size["rounds"])):
            for name, (env, marks) in starts.items():
                found = start(env, marks)
                openai_at_paint |= bool(found["openai"]) and name != "bare"
                if round_ >= warm_up:
                    times[name].append(found["seconds"])
        biggest = root / str(sizes[-1])
        whole, first = index_load(biggest)

    bare, zero = median(times["bare"]), median(times["0"])
    label = "first paint (fresh process, 80x24, headless)"
    rows = [
        Row(
            label,
            "0 threads vs a bare Textual app with one Static",
            f"{ratio(zero, bare)} ({ms(zero)})",
            f"bare app: {ms(bare)}",
            f"≤ {ZERO_TARGET}×",
            zero / bare <= ZERO_TARGET,
            ""
            if zero / bare <= ZERO_TARGET
            else f"missed by {zero / bare / ZERO_TARGET:.2f}×: a whole screen against one "
            "Static: importing threadtui's TUI and core, mounting and styling about 20 widgets "
            "(breakdown in docs/BENCHMARKS.md)",
        ),
        Row(
            label,
            "openai imported before the first paint",
            "yes" if openai_at_paint else "no",
            "",
            "no",
            not openai_at_paint,
        ),
    ]
    for count in sizes[1:]:
        figure = median(times[str(count)])
        rows.append(
            Row(
                label,
                f"{count:,} threads vs 0 threads",
                f"{ratio(figure, zero)} ({ms(figure)})",
                f"0 threads: {ms(zero)}",
                f"≤ {BIG_TARGET}×" if count == sizes[-1] else "",
                figure / zero <= BIG_TARGET if count == sizes[-1] else None,
                f"missed by {figure / zero / BIG_TARGET:.2f}×: the first row waits for the whole "
                f"index ({ms(whole)} to build here; a LIMIT 100 query takes {ms(first)})"
                if count == sizes[-1] and figure / zero > BIG_TARGET
                else "",
            )
        )
    rows.append(
        Row(
            f"sidebar index, {sizes[-1]:,} threads",
            "building the whole index (Services.thread_index) vs the first 100 rows by LIMIT",
            f"{ratio(whole, first)} ({ms(whole)})",
            f"LIMIT 100: {ms(first)}",
            note="the first paint reads only the first screen; the whole index follows it",
        )
    )
    return rows
