"""Long-term memory in a run: which store an Interpreter reads, and its procedures.

The store is opened when the Interpreter is made, read-only, so a missing, corrupt or
wrong-schema file is an error before the program runs. The memory procedures are made
on the first use of one of their names, wired to the run's event bus and to evaluation
in the program's environment (for `memory-import`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from interpreter.engine.session import Session
from interpreter.limits.settings import Settings
from interpreter.tasks.state import TaskState

if TYPE_CHECKING:
    from interpreter.memory.procedures import Evaluate
    from interpreter.memory.store import MemoryStore


def open_memory(memory: Any, settings: Settings) -> MemoryStore | None:
    """The store `memory` names (a path, or a MemoryStore), else the `memory_db` setting's;
    None when neither gives one. A store opened for writing is opened again read-only:
    no program changes long-term memory."""
    if memory is None:
        memory = settings.get("memory_db")
        if not memory:
            return None
    if isinstance(memory, str | os.PathLike):
        # SQLite is loaded only for runs that have a store (start-up)
        from interpreter.memory.store import MemoryStore

        return MemoryStore(memory)
    if getattr(memory, "writable", False):
        return type(memory)(memory.path)
    return memory


def store_files(store: MemoryStore) -> dict[str | os.PathLike, str]:
    """The files of the open store `store` (SQLite's own beside the database: its
    write-ahead log, shared memory and rollback journal, named after the file a link to
    the store leads to), each with what it is."""
    from interpreter.memory.store import side_files  # loaded with the store it names

    return {
        store.path: "the run's memory store",
        **{
            path: f"a file of the run's memory store {store.path}"
            for path in side_files(store.path)
        },
    }


def make_memory_procedures(
    store: MemoryStore | None,
    session: Session,
    tasks: TaskState,
    evaluate: Evaluate,
    is_bound: Callable[[str], bool],
) -> dict[str, Any]:
    """The memory procedures of one Interpreter; each lookup a "memory" event on the
    run's bus, attributed to the task running it, if any."""
    # the procedures load SQLite's module: made only for programs that use them (start-up)
    from interpreter.limits.events import Event
    from interpreter.memory.procedures import memory_procedures

    events = session.events
    if events is None:
        return memory_procedures(store, None, evaluate, is_bound)

    def publish(detail: dict[str, Any]) -> None:
        chain = tasks.chain.get()
        task = chain[-1].name if chain else None
        events.publish(Event("memory", task, None, None, detail))

    return memory_procedures(store, publish, evaluate, is_bound)
