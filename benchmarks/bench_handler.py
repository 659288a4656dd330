"""How much the Handler's accounting costs, measured against tiktoken itself.

1. Overhead per turn with a zero-latency model: begin_turn + add_message(user) +
   record_response, against tiktoken's own encoding of the same new content, at several
   content sizes. A least-squares line handler_time = ratio x encode_time + fixed gives the
   ratio (goal <= 1.2) and the fixed cost per turn (goal <= 50 us). Measured without
   observers (the default) and with one no-op observer, when every change builds an event.
2. A 200-turn conversation: time per turn at turns 1-20 against turns 181-200. Each message
   is tokenized once, when it is added, so the cost per turn stays flat and the whole
   conversation costs linear time; re-counting the conversation every turn would not.

Run: python benchmarks/bench_handler.py   (prints numbers, asserts nothing; < 60 s)
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from interpreter.limits.events import EventBus
from interpreter.limits.handler import Handler
from interpreter.limits.messages import Message, ModelResponse, Usage
from interpreter.limits.models import resolve_model
from interpreter.limits.settings import HandlerConfig
from interpreter.limits.tokens import get_encoding

SPEC = "test:bench"
MODEL = resolve_model(SPEC, {SPEC: {"input_window": 10**9}})
# The baseline is the tokenizer call the Handler itself makes (encode_ordinary, slightly
# faster than encode), so the ratio is what the accounting adds and nothing else.
ENCODE = get_encoding(MODEL.encoding).encode_ordinary
SAMPLE = (
    "the a ticket billing refund order customer charged twice label bug other support "
    "account payment invoice delivery late damaged reply please thanks 42 2024 café "
    "shipment tracking number, status: pending; error! why? because."
)
WORDS = SAMPLE.split()
TURNS = 200


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def new_handler(events: EventBus | None = None) -> Handler:
    return Handler(HandlerConfig(TURNS * 10, 1.0, default_model=SPEC), MODEL, events=events)


def time_turns(pairs: list[tuple[str, str]], events: EventBus | None = None) -> list[float]:
    """Seconds per turn for one conversation of `pairs` (user text, reply text)."""
    handler = new_handler(events)
    times = []
    clock = time.perf_counter
    for user, reply in pairs:
        message, response = Message("user", user), ModelResponse(reply, usage=Usage(1, 1))
        start = clock()
        handler.begin_turn()
        handler.add_message(message)
        handler.record_response(response)
        times.append(clock() - start)
    handler.release()
    return times


def time_encodes(pairs: list[tuple[str, str]]) -> list[float]:
    times = []
    clock = time.perf_counter
    for user, reply in pairs:
        start = clock()
        ENCODE(user)
        ENCODE(reply)
        times.append(clock() - start)
    return times


def best_of(runs: int, *measures: Callable[[], list[float]]) -> list[float]:
    """For each measure, the mean seconds per turn of its fastest repetition. The
    measures alternate round by round, so a noisy neighbour slows them alike."""
    best = [float("inf")] * len(measures)
    for _ in range(runs):
        for index, measure in enumerate(measures):
            best[index] = min(best[index], statistics.fmean(measure()))
    return best


def overhead(events: EventBus | None, label: str) -> None:
    rng = random.Random(1)
    print(f"\n1. accounting overhead per turn ({label})")
    print(f"   {'words/turn':>10} {'encode us':>10} {'handler us':>11} {'ratio':>6}")
    points = []
    for words in (5, 50, 200, 1000, 4000):
        pairs = [(text(rng, words), text(rng, words // 2 + 1)) for _ in range(40)]
        encode, handler = best_of(
            25,
            lambda pairs=pairs: time_encodes(pairs),
            lambda pairs=pairs: time_turns(pairs, events),
        )
        points.append((encode, handler))
        print(
            f"   {words:>10} {encode * 1e6:>10.1f} {handler * 1e6:>11.1f} {handler / encode:>6.2f}"
        )
    ratio, fixed = statistics.linear_regression([e for e, _ in points], [h for _, h in points])
    print(f"   fit: handler = {ratio:.3f} x encode + {fixed * 1e6:.1f} us fixed per turn")
    print("   goal: ratio <= 1.2 and fixed cost <= 50 us")


def growth() -> None:
    rng = random.Random(2)
    pairs = [(text(rng, 60), text(rng, 30)) for _ in range(TURNS)]
    runs = [time_turns(pairs) for _ in range(15)]
    per_turn = [statistics.median(run[i] for run in runs) for i in range(TURNS)]
    early = statistics.mean(per_turn[:20]) * 1e6
    late = statistics.mean(per_turn[-20:]) * 1e6
    print(f"\n2. a {TURNS}-turn conversation (60-word prompts, 30-word replies)")
    print(f"   turns   1-20 : {early:7.1f} us/turn")
    print(f"   turns 181-200: {late:7.1f} us/turn   (late/early = {late / early:.2f})")
    print(f"   whole conversation: {sum(per_turn) * 1e3:.2f} ms")
    history = " ".join(user + " " + reply for user, reply in pairs)
    [recount] = best_of(5, lambda: time_encodes([(history, "")]))
    print(
        f"   for contrast, re-counting the whole conversation at turn 200 would take "
        f"{recount * 1e6:.0f} us for that one turn"
    )


def main() -> None:
    get_encoding(MODEL.encoding)  # load outside the measurements
    overhead(None, "no observers")
    bus = EventBus()
    bus.subscribe(lambda event: None)
    overhead(bus, "one no-op observer: every change builds an event")
    growth()


if __name__ == "__main__":
    main()
