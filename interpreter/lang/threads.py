"""Threads that run program code: each continues its starter's computation.

A worker started on behalf of a program (a parallel map, the command line's program
thread) runs in a copy of its starter's context, so everything a run keeps in context
variables (working memory, the chain of running tasks, ...) follows it, and with a
stack large enough for deeply recursive programs.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable

WORKER_STACK_BYTES = 256 * 1024 * 1024

_stack_size_lock = threading.Lock()


def start_worker(target: Callable[[], None], name: str) -> threading.Thread:
    """Start a daemon thread running `target` in a copy of the caller's context, with a
    large stack. The stack size is process-wide in Python, so it is set only around
    `start`."""
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(target,), name=name, daemon=True)
    with _stack_size_lock:
        previous = threading.stack_size(WORKER_STACK_BYTES)
        try:
            thread.start()
        finally:
            threading.stack_size(previous)
    return thread
