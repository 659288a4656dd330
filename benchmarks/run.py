"""Every benchmark of the project in one table, each figure beside its baseline.

    python benchmarks/run.py [--quick] [--lispy PATH]

Each row times one job in taskscheme and a baseline for the same job measured in the
same run (CPython running the same algorithm, Lark's own parser, tiktoken's encoder, a
bare Handler, `python -c pass`), and prints their ratio beside the goal. Rows whose
subject is not built yet, or whose anchor is not on this machine, are printed with a
note instead of figures. Norvig's lispy.py is not shipped: pass its path with `--lispy`
(or set LISPY) to add it as a second anchor for fib.

A module `benchmarks/bench_NAME.py` that defines `rows(quick) -> list[Row]` adds its
rows to the table; `--quick` makes every row small enough for a test (about a minute).
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import os
import platform
import re
import runpy
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.setrecursionlimit(100_000)

import bench_core  # noqa: E402
import bench_handler  # noqa: E402
import bench_macros  # noqa: E402
import bench_memory  # noqa: E402
import bench_tasks  # noqa: E402
from table import Row, best, best_at_depths, interleaved_best, print_table  # noqa: E402

from interpreter.engine.interpreter import Interpreter  # noqa: E402
from interpreter.lang.reader import read_all  # noqa: E402

# The modules whose rows this file builds itself; any other bench_*.py may add rows.
BUILT_IN = {
    "bench_core",
    "bench_handler",
    "bench_macros",
    "bench_memory",
    "bench_tasks",
    "bench_lists",
}


def core_rows(quick: bool, lispy: str | None) -> list[Row]:
    repeats = 1 if quick else 5
    depths = 1 if quick else 12
    interp = Interpreter()
    interp.eval_scheme(bench_core.SCHEME)
    n = 5_000 if quick else 100_000
    rows = [
        Row(
            "fib(25)",
            best_at_depths(lambda: interp.eval_scheme("(fib 25)"), depths),
            "CPython, same function",
            best_at_depths(lambda: bench_core.py_fib(25), depths),
            "<= 15x",
        ),
        Row(
            "tak(18,12,6)",
            best_at_depths(lambda: interp.eval_scheme("(tak 18 12 6)"), depths),
            "CPython, same function",
            best_at_depths(lambda: bench_core.py_tak(18, 12, 6), depths),
        ),
        Row(
            f"list workload ({n // 1000}k)",
            best(lambda: interp.eval_scheme(f"(list-workload {n})"), repeats),
            "CPython, same algorithm",
            best(lambda: bench_core.py_list_workload(n), repeats),
        ),
    ]
    sort_size = 5_000 if quick else 100_000
    interp.eval_scheme(f"(define numbers (build {sort_size}))")
    data = [(i * 7919) % 100003 for i in range(sort_size, 0, -1)]
    rows.append(
        Row(
            f"sort {sort_size // 1000}k integers with <",
            best(lambda: interp.eval_scheme("(sort numbers <)"), repeats),
            "sorted(key=...)",
            best(lambda: sorted(data, key=lambda x: x), repeats),
            "<= 10x",
        )
    )
    rows.append(_lispy_row(lispy, repeats))
    return rows


def _lispy_row(path: str | None, repeats: int) -> Row:
    """fib(25) in Norvig's lispy.py, the anchor for a small Scheme in Python."""
    if not path or not Path(path).is_file():
        return Row("lispy.py: fib(25)", note="lispy.py not found (--lispy PATH)")
    lispy = runpy.run_path(path)
    env = lispy["global_env"]
    lispy["eval"](lispy["parse"](bench_core.LISPY_FIB))
    program = lispy["parse"]("(fib 25)")
    return Row(
        "lispy.py: fib(25)",
        best(lambda: lispy["eval"](program, env), 1),
        "CPython, same function",
        best(lambda: bench_core.py_fib(25), repeats),
    )


def reader_row(quick: bool) -> Row:
    repeats = 1 if quick else 5
    text = bench_core.reader_text(20_000 if quick else 1_000_000)
    bare_lark = bench_core.bare_lark_parser()
    read_all(text[:100], "<warm-up>")
    return Row(
        f"read {len(text.encode()) // 1000:,} KB of Scheme",
        best(lambda: read_all(text, "<bench>"), repeats),
        "Lark LALR parse tree",
        best(lambda: bare_lark.parse(text), repeats),
        "<= 1x",
    )


def long_datum_rows(quick: bool) -> list[Row]:
    """`read` from a string port of one long string literal and one long symbol, against
    one regular-expression scan of the same text: the lexer's own floor."""
    repeats = 1 if quick else 3
    size = 200_000 if quick else 10_000_000
    interp = Interpreter()
    interp.eval_scheme("(define (read-text s) (read (open-input-string s)))")
    rows = []
    for name, text, pattern in [
        ("string", '"' + "a" * size + '"', re.compile(r'"[^"\\]*"')),
        ("symbol", "a" * size, re.compile(r"[^\s()\[\]\";'`,|]+")),
    ]:
        rows.append(
            Row(
                f"long {name}: read {size / 1e6:g}M chars",
                best(lambda text=text: interp.call("read-text", text), repeats),
                "re: one scan of the text",
                best(lambda text=text, pattern=pattern: pattern.match(text), repeats),
            )
        )
    return rows


def startup_rows(quick: bool) -> list[Row]:
    runs = 3 if quick else 25
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    bare = [sys.executable, "-c", "pass"]
    commands = {"eval": [sys.executable, "-m", "interpreter", "eval", "(+ 1 2)"]}
    if importlib.util.find_spec("interpreter.cli.repl") is not None:
        commands["repl"] = [sys.executable, "-m", "interpreter", "repl"]
    # from an empty directory, as in a new project: no configuration file, and the
    # package imported is the one on PYTHONPATH, not one in the working directory
    with tempfile.TemporaryDirectory() as empty:
        times = interleaved_best([bare, *commands.values()], runs, env, cwd=empty)
    rows = [
        Row(
            "start-up: taskscheme eval '(+ 1 2)'",
            times[1],
            "python -c pass",
            times[0],
            "<= 2.5x",
        )
    ]
    if "repl" in commands:
        rows.append(Row("start-up: taskscheme repl to EOF", times[2], "python -c pass", times[0]))
    else:
        rows.append(Row("start-up: taskscheme repl", note="no REPL in this build"))
    return rows


def handler_row(quick: bool) -> Row:
    """A turn's accounting against tiktoken encoding the same new text."""
    import random  # only this row makes random text

    rng = random.Random(1)
    pairs = [(bench_handler.text(rng, 200), bench_handler.text(rng, 101)) for _ in range(40)]
    bench_handler.get_encoding(bench_handler.MODEL.encoding)
    encode, handler = bench_handler.best_of(
        2 if quick else 25,
        lambda: bench_handler.time_encodes(pairs),
        lambda: bench_handler.time_turns(pairs),
    )
    return Row(
        "Handler turn (200-word prompt)",
        handler,
        "tiktoken encode",
        encode,
        "<= 1.2x + 50 us",
        unit="us",
    )


def task_rows(quick: bool) -> list[Row]:
    model = bench_tasks.InstantModel()
    interp = bench_tasks._interpreter(model)
    interp.eval(
        '(define-task (classify ticket) "Label this ticket as bug, billing or other: {{ticket}}")'
        '(define (run n) (when (> n 0) (classify "I was charged twice") (run (- n 1))))'
    )
    config = interp.settings.handler_config()
    info = bench_tasks.resolve_model(model.spec)
    calls = 50 if quick else 2000
    interp.eval("(run 10)")
    ours, bare = [], []

    def ours_once() -> None:
        interp.eval(f"(run {calls})")

    def bare_once() -> None:
        for _ in range(calls):
            bench_tasks.bare_handler_call(model, config, info)

    for _ in range(1 if quick else 5):
        ours.append(best(ours_once, 1) / calls)
        bare.append(best(bare_once, 1) / calls)
    rows = [
        Row(
            "task call, zero-latency model",
            min(ours),
            "bare Handler, same work",
            min(bare),
            unit="us",
        )
    ]
    items, latency, workers = (32, 0.01, 16) if quick else (200, 0.05, 16)
    mapper = bench_tasks._interpreter(
        bench_tasks.FunctionModel(lambda request: "billing", delay=latency)
    )
    mapper.eval(
        f'(define-task (classify n) "Label ticket {{{{n}}}}") (define items (iota {items}))'
    )
    mapper.eval("(classify 0)")
    wall = best(
        lambda: mapper.eval(f"(parallel-map classify items #:workers {workers})"),
        1,
        time.perf_counter,  # waiting for the model is the job
    )
    ideal = math.ceil(items / workers) * latency
    rows.append(
        Row(
            f"parallel-map {items} x {latency * 1000:.0f} ms, {workers} workers",
            wall,
            "ideal: ceil(n/workers) turns",
            ideal,
            "<= 1.3x",
        )
    )
    return rows


def macro_row(quick: bool) -> Row:
    count = 10 if quick else 300
    macro_time = _programs_time(count, macros=True)
    plain_time = _programs_time(count, macros=False)
    return Row(f"{count} macro-using programs", macro_time, "same, expanded by hand", plain_time)


def _programs_time(count: int, macros: bool) -> float:
    interp = Interpreter()
    interp.eval_scheme(bench_macros.program(-1, macros))
    start = time.process_time()
    for index in range(count):
        interp.eval_scheme(bench_macros.program(index, macros))
    return time.process_time() - start


def discovered_rows(quick: bool) -> list[Row]:
    """Rows of any other benchmarks/bench_*.py that defines rows(quick)."""
    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        if path.stem in BUILT_IN:
            continue
        module = importlib.import_module(path.stem)
        if hasattr(module, "rows"):
            rows.extend(module.rows(quick))
    return rows


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()}"
    )


def main() -> None:
    quick = "--quick" in sys.argv
    lispy = os.environ.get("LISPY")
    if "--lispy" in sys.argv:
        lispy = sys.argv[sys.argv.index("--lispy") + 1]
    sections: list[Callable[[], list[Row]]] = [
        lambda: core_rows(quick, lispy),
        lambda: [reader_row(quick)],
        lambda: long_datum_rows(quick),
        lambda: startup_rows(quick),
        lambda: [handler_row(quick)],
        lambda: task_rows(quick),
        lambda: [macro_row(quick)],
        lambda: [bench_memory.lookup_row(quick)],
        lambda: discovered_rows(quick),
    ]
    started = time.perf_counter()
    rows = [row for section in sections for row in section()]
    print(f"machine: {machine()}")
    print_table(rows)
    print(f"\n{'quick' if quick else 'full'} run in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
