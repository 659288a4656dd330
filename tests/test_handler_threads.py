"""Concurrency: one Handler charged from many threads, Handlers side by side, a shared budget."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from interpreter.errors import BudgetExhaustedError, ResourceExhaustionError
from interpreter.limits.budget import Budget
from interpreter.limits.events import Event, EventBus
from interpreter.limits.handler import Handler
from interpreter.limits.messages import Message
from interpreter.limits.models import resolve_model
from interpreter.limits.settings import HandlerConfig
from interpreter.limits.tokens import count_tokens

THREADS = 8


@pytest.fixture(autouse=True)
def slow_limit_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Yield the GIL right after each limit check. Under CPython's GIL a check-then-charge
    race is too rare to observe; this widens it, so a Handler without its lock would
    overshoot its limits here (verified), while a correct one stays exact."""
    for name in ("_check_turns", "_check_context"):
        check = getattr(Handler, name)

        def slow(self: Handler, *args: Any, _check: Callable[..., None] = check) -> None:
            _check(self, *args)
            time.sleep(0)

        monkeypatch.setattr(Handler, name, slow)


def make(max_turns: int = 10_000, window: int = 10_000_000, **kwargs: Any) -> Handler:
    model = resolve_model("test:threads", {"test:threads": {"input_window": window}})
    return Handler(HandlerConfig(max_turns, 1.0), model, **kwargs)


def run_together(work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in THREADS threads released at the same instant; return the results."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def body(index: int) -> None:
        barrier.wait()
        results[index] = work(index)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def charge_until_refused(action: Callable[[], Any], attempts: int) -> tuple[list[Any], int]:
    done, refused = [], 0
    for _ in range(attempts):
        try:
            done.append(action())
        except ResourceExhaustionError:
            refused += 1
    return done, refused


def test_concurrent_messages_are_counted_exactly_once() -> None:
    texts = [f"thread {i} says hello to the handler number {i * 7}" for i in range(THREADS)]
    per_thread = 200
    with make() as h:
        run_together(
            lambda i: [h.add_message(Message("user", texts[i])) for _ in range(per_thread)]
        )
        metrics = h.metrics()
        assert len(h.conversation) == THREADS * per_thread
    expected = per_thread * sum(count_tokens(text) + 3 for text in texts)
    assert metrics.context.used == metrics.context.peak_usage == expected


def test_concurrent_turns_stop_exactly_at_the_limit() -> None:
    with make(max_turns=100) as h:
        results = run_together(lambda i: charge_until_refused(h.begin_turn, 50))
    numbers = sorted(n for done, _ in results for n in done)
    assert numbers == list(range(1, 101))  # each turn number handed out once
    assert sum(refused for _, refused in results) == THREADS * 50 - 100
    assert h.final_metrics is not None and h.final_metrics.turns.used == 100


def test_concurrent_content_stops_exactly_at_the_limit() -> None:
    message = Message("user", "hello world")  # 5 tokens
    with make(window=1003) as h:
        results = run_together(lambda i: charge_until_refused(lambda: h.add_message(message), 100))
        accepted = sum(len(done) for done, _ in results)
        assert accepted == 1003 // 5
        assert h.metrics().context.used == accepted * 5 <= 1003


def test_one_warning_per_resource_under_contention() -> None:
    bus = EventBus()
    warnings: list[Event] = []
    bus.subscribe(lambda event: warnings.append(event) if event.kind == "warning" else None)
    with make(max_turns=400, events=bus) as h:
        run_together(lambda i: charge_until_refused(h.begin_turn, 60))
    assert [w.detail["resource"] for w in warnings] == ["turns"]
    assert warnings[0].detail["used"] == 320


def test_separate_handlers_do_not_affect_each_other() -> None:
    def own_task(i: int) -> tuple[int, int, int]:
        text = "token " * (i + 1)
        with make(max_turns=i + 1) as h:
            turns, _ = charge_until_refused(h.begin_turn, 50)
            for _ in range(100):
                h.add_message(Message("user", text))
            m = h.metrics()
            return len(turns), m.turns.used, m.context.used

    results = run_together(own_task)
    for i, (turns, used, context) in enumerate(results):
        assert turns == used == i + 1
        assert context == 100 * (count_tokens("token " * (i + 1)) + 3)


def test_a_shared_budget_is_exact_across_threads() -> None:
    budget = Budget(max_turns=137, max_tokens=5_000)

    def task(i: int) -> tuple[int, int]:
        with make(budget=budget) as h:
            turns, _ = charge_until_refused(h.begin_turn, 100)
            sent, _ = charge_until_refused(lambda: h.add_message(Message("user", "hi")), 200)
            return len(turns), sum(sent)

    results = run_together(task)
    snapshot = budget.snapshot()
    assert sum(turns for turns, _ in results) == snapshot.turns_used == 137
    assert sum(tokens for _, tokens in results) == snapshot.tokens_used == 5_000 // 4 * 4


def test_budget_refusals_are_budget_errors() -> None:
    budget = Budget(max_turns=THREADS * 2)
    kinds: set[str] = set()
    lock = threading.Lock()

    def task(i: int) -> None:
        with make(budget=budget) as h:
            for _ in range(10):
                try:
                    h.begin_turn()
                except BudgetExhaustedError as error:
                    with lock:
                        kinds.add(error.resource)

    run_together(task)
    assert kinds == {"budget-turns"}
    assert budget.snapshot().turns_used == THREADS * 2
