"""What the task layer costs and what parallel-map buys.

1. parallel-map over 200 items whose task takes one 50 ms model turn (a FunctionModel
   that sleeps): wall time with 16 workers against 1 worker, and the speed-up (goal >= 12x;
   the ideal is 200 / ceil(200 / 16) = 15.4x).
2. Overhead per task call with a zero-latency model: a task called from a program loop,
   against the same work done by hand with a bare Handler (create, charge the prompt,
   count a turn, call the model, record the answer, release), measured in the same run.
   The difference is what the interpreter and the task layer add per call.

Run: python benchmarks/bench_tasks.py   (prints numbers, asserts nothing; < 60 s)
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from interpreter.engine.interpreter import Interpreter
from interpreter.limits.handler import Handler
from interpreter.limits.messages import Message, ModelRequest, ModelResponse, Usage
from interpreter.limits.models import resolve_model
from interpreter.limits.settings import load_settings
from interpreter.providers import FunctionModel

ITEMS = 200
LATENCY = 0.05
CALLS = 2000
REPEATS = 5

PROMPT = "Label this ticket as bug, billing or other: I was charged twice"
ANSWER = ModelResponse("billing", usage=Usage(20, 1))


class InstantModel:
    """A model that answers at once, with usage already filled in (nothing to count)."""

    spec = "test:instant"

    def complete(self, request: ModelRequest) -> ModelResponse:
        return ANSWER


def _interpreter(model) -> Interpreter:
    nowhere = Path(tempfile.mkdtemp())
    settings = load_settings({"workers": 16}, cwd=nowhere, environ={}, home=nowhere)
    return Interpreter(settings, model=model)


def parallel_map_speedup() -> None:
    interp = _interpreter(FunctionModel(lambda request: "billing", delay=LATENCY))
    interp.eval('(define-task (classify n) "Label ticket {{n}}") (define items (iota 200))')
    interp.eval("(classify 0)")  # warm up: loads the tokenizer
    times = {}
    for workers in (16, 1):
        start = time.perf_counter()
        results = interp.eval(f"(parallel-map classify items #:workers {workers})")
        times[workers] = time.perf_counter() - start
        assert len(results) == ITEMS
    print(f"parallel-map, {ITEMS} items, {LATENCY * 1000:.0f} ms per model turn:")
    print(f"  1 worker    {times[1]:7.2f} s")
    print(f"  16 workers  {times[16]:7.2f} s")
    print(f"  speed-up    {times[1] / times[16]:7.1f}x   (goal >= 12x, ideal 15.4x)")


def bare_handler_call(model: InstantModel, config, info) -> None:
    with Handler(config, info, task="classify") as handler:
        handler.add_message(Message("user", PROMPT))
        handler.begin_turn()
        response = model.complete(ModelRequest(info.name, handler.conversation))
        handler.record_response(response)


def per_call_overhead() -> None:
    model = InstantModel()
    interp = _interpreter(model)
    interp.eval(
        '(define-task (classify ticket) "Label this ticket as bug, billing or other: {{ticket}}")'
        '(define (run n) (when (> n 0) (classify "I was charged twice") (run (- n 1))))'
    )
    config = interp.settings.handler_config()
    info = resolve_model(model.spec)
    task_times, bare_times = [], []
    for _ in range(REPEATS):
        start = time.perf_counter()
        interp.eval(f"(run {CALLS})")
        task_times.append((time.perf_counter() - start) / CALLS)
        start = time.perf_counter()
        for _ in range(CALLS):
            bare_handler_call(model, config, info)
        bare_times.append((time.perf_counter() - start) / CALLS)
    task, bare = statistics.median(task_times) * 1e6, statistics.median(bare_times) * 1e6
    print(f"task call with a zero-latency model ({CALLS} calls, median of {REPEATS}):")
    print(f"  task call from a program   {task:8.1f} us")
    print(f"  bare Handler, same work    {bare:8.1f} us")
    print(
        f"  task layer overhead        {task - bare:8.1f} us per call  ({task / bare:.2f}x the bare Handler)"
    )


if __name__ == "__main__":
    parallel_map_speedup()
    print()
    per_call_overhead()
