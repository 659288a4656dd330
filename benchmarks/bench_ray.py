"""What parallel-map on Ray costs, against threads, in the same run.

200 items, each one task whose model (the local fake server, over HTTP) answers after
50 ms, with N workers: wall time on threads and on a local Ray cluster (workers already
started; their start-up is reported on its own), with and without a run budget (which
puts every charge through the budget actor). The per-item overhead Ray adds is
(Ray's wall time - threads' wall time) x N / 200: what each item costs a worker beyond
the same work on a thread (goal: under 20 ms).

Run: python benchmarks/bench_ray.py [N ...]   (prints numbers, asserts nothing; needs
`pip install 'taskscheme[ray]'`; about a minute on two cores)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import ray

# the local model server of the tests answers the model calls
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fake_llm_server import FakeLLMServer, Reply

from interpreter.engine.interpreter import Interpreter
from interpreter.limits.settings import load_settings

ITEMS = 200
LATENCY = 0.05
PROGRAM = '(define-task (classify n) "Label ticket {{n}}") (define items (iota 200))'


def _interpreter(server: FakeLLMServer, **values: object) -> Interpreter:
    nowhere = Path(tempfile.mkdtemp())
    settings = load_settings(
        {
            "model": "openai:gpt-4o-mini",
            "openai_base_url": server.openai_url,
            "openai_api_key": "sk-bench",
            **values,
        },
        cwd=nowhere,
        environ={},
        home=nowhere,
    )
    interp = Interpreter(settings)
    interp.eval(PROGRAM)
    return interp


def _timed(interp: Interpreter, executor: str, workers: int) -> float:
    start = time.perf_counter()
    results = interp.eval(
        f"(parallel-map classify items #:workers {workers} #:executor '{executor})"
    )
    elapsed = time.perf_counter() - start
    assert len(results) == ITEMS and all(r == "billing" for r in results)
    return elapsed


def compare(server: FakeLLMServer, workers: int, budget: bool) -> None:
    values = {"budget_turns": 1_000_000} if budget else {}
    with _interpreter(server, **values) as interp:
        _timed(interp, "threads", workers)  # the SDK and the tokenizer are loaded
        threads = _timed(interp, "threads", workers)
        start = time.perf_counter()
        interp.eval(f"(parallel-map classify '(0) #:workers {workers} #:executor 'ray)")
        startup = time.perf_counter() - start
        _timed(interp, "ray", workers)  # every worker has started and connected
        on_ray = _timed(interp, "ray", workers)
    overhead = (on_ray - threads) * workers / ITEMS
    label = "with a run budget" if budget else "no budget"
    print(
        f"N={workers:<3} {label:<18} threads {threads:6.2f} s   ray {on_ray:6.2f} s   "
        f"overhead {overhead * 1000:6.1f} ms/item   (workers started in {startup:.1f} s)"
    )


def main() -> None:
    counts = [int(arg) for arg in sys.argv[1:]] or [4, 8]
    ray.init(num_cpus=2, _node_ip_address="127.0.0.1", include_dashboard=False, log_to_driver=False)
    try:
        with FakeLLMServer() as server:
            server.fallback = lambda path, body: Reply(text="billing", delay=LATENCY)
            print(f"{ITEMS} items, one {LATENCY * 1000:.0f} ms model turn each")
            for workers in counts:
                for budget in (False, True):
                    compare(server, workers, budget)
    finally:
        ray.shutdown()


if __name__ == "__main__":
    main()
