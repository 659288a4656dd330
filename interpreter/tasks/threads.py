"""The per-thread state of a running program, and worker threads that inherit it.

A program's working memory and the chain of tasks it is running are per thread (two
threads running tasks at once must not see each other's). A worker started on behalf of
the program (parallel map) continues the caller's computation, so it starts with a copy
of the caller's state, and with a stack large enough for deeply recursive programs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from interpreter.lang.analyze.analyzer import WORKING_MEMORY

WORKER_STACK_BYTES = 256 * 1024 * 1024

_stack_size_lock = threading.Lock()


class _TaskChain(threading.local):
    """The tasks running on this thread, outermost first (each entry is a task's options
    object, compared by identity)."""

    def __init__(self) -> None:
        self.running: list[Any] = []


TASK_CHAIN = _TaskChain()


@dataclass(frozen=True, slots=True)
class ProgramState:
    """What a worker inherits from the thread that started it."""

    working_memory: Any
    task_chain: tuple[Any, ...]

    @staticmethod
    def capture() -> ProgramState:
        return ProgramState(WORKING_MEMORY.current, tuple(TASK_CHAIN.running))

    def install(self) -> None:
        WORKING_MEMORY.current = self.working_memory
        TASK_CHAIN.running = list(self.task_chain)


def start_worker(target: Callable[[], None], name: str) -> threading.Thread:
    """Start a daemon thread running `target` with the caller's program state and a large
    stack. The stack size is process-wide in Python, so it is set only around `start`."""
    state = ProgramState.capture()

    def run() -> None:
        state.install()
        target()

    thread = threading.Thread(target=run, name=name, daemon=True)
    with _stack_size_lock:
        previous = threading.stack_size(WORKER_STACK_BYTES)
        try:
            thread.start()
        finally:
            threading.stack_size(previous)
    return thread
