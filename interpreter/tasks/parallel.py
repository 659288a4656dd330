"""`parallel-map`: a procedure over a list, its items run at once, results in input order.

Running a task over many items at once is where waiting on the network is won back.
Each item is an ordinary call of the procedure (a task call gets its own Handler as
always; nothing is pooled); an executor (executors.py) runs them. On an error in
'first mode no new item starts, the items already running finish, and the first error
in input order is raised; in 'collect mode every item runs and a failed item's place
holds its error object. `#:executor` chooses what runs the items ('threads, the
default, or 'ray: processes of a Ray cluster) for one call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from interpreter.errors import SchemeError
from interpreter.lang.datums import Keyword, Symbol, list_to_python, python_to_list
from interpreter.lang.primitives.common import check_procedure
from interpreter.lang.raising import type_error
from interpreter.lang.runtime import split_keywords
from interpreter.limits.settings import EXECUTORS

if TYPE_CHECKING:
    from interpreter.limits.events import EventBus
    from interpreter.tasks.executors import Executor

WORKERS, ERRORS, EXECUTOR = Keyword("workers"), Keyword("errors"), Keyword("executor")
PARALLEL_MAP_OPTIONS = [WORKERS, ERRORS, EXECUTOR]
FIRST, COLLECT = Symbol("first"), Symbol("collect")


def parallel_map(
    executor_named: Callable[[str], Executor],
    default_workers: int,
    default_executor: str,
    *args: Any,
    events: EventBus | None = None,
) -> Any:
    """`(parallel-map proc items #:workers N #:errors 'first|'collect #:executor 'threads|'ray)`;
    `executor_named` gives the executor of a name in `EXECUTORS`; each item's start and
    end is published on `events` (see ItemProgress)."""
    positional, options = split_keywords("parallel-map", list(args), PARALLEL_MAP_OPTIONS)
    problem = parallel_map_arguments_problem(len(positional))
    if problem is not None:
        raise problem
    proc = check_procedure("parallel-map", positional[0], 1)
    items = _items(positional[1])
    workers = options.get(WORKERS, default_workers)
    if type(workers) is not int or workers < 1:
        raise type_error("parallel-map", "a positive integer for #:workers", workers)
    mode = options.get(ERRORS, FIRST)
    if mode is not FIRST and mode is not COLLECT:
        raise type_error("parallel-map", "'first or 'collect for #:errors", mode)
    chosen = options.get(EXECUTOR, Symbol(default_executor))
    name = chosen.name if isinstance(chosen, Symbol) else chosen
    if name not in EXECUTORS:
        raise type_error("parallel-map", "'threads or 'ray for #:executor", chosen)
    # the executors' machinery loads only when a program maps (start-up)
    from interpreter.tasks.executors import ItemProgress, MapJob

    progress = ItemProgress(events, len(items))
    job = MapJob(
        proc, getattr(proc, "name", None), tuple(items), workers, mode is COLLECT, progress
    )
    return python_to_list(executor_named(name).run(job))


def parallel_map_arguments_problem(count: int) -> SchemeError | None:
    """The error for `count` arguments of parallel-map besides its options, unless they
    are two: a procedure and a list (`check` reports it too)."""
    if count == 2:
        return None
    return SchemeError(f"parallel-map: expects a procedure and a list, got {count} argument(s)")


def _items(value: Any) -> list[Any]:
    if type(value) in (list, tuple):
        return list(value)
    try:
        return list_to_python(value, "parallel-map", 2)
    except ValueError:
        raise type_error("parallel-map", "a list or vector of items", value, 2) from None
