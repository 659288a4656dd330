"""The memory procedures of one Interpreter, over its read-only store.

`memory-lookup` is also a tool (`#:tools (list memory-lookup)`): a task's model may
search memory by itself, and what it finds enters the task's context as any tool
result does, charged by the task's Handler. A lookup from the program costs no turns;
every lookup, from the program or from a model, is an event in the trace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from interpreter.errors import MemoryStoreError, SchemeError
from interpreter.lang.datums import (
    NIL,
    Symbol,
    frozen,
    is_pair,
    list_to_python,
    python_to_list,
    string_text,
)
from interpreter.lang.primitives.json import from_python
from interpreter.lang.printer import register_writer, write_string
from interpreter.lang.raising import type_error
from interpreter.lang.runtime import split_keywords
from interpreter.memory.constants import KINDS
from interpreter.memory.language import LOOKUP_OPTIONS, RECORD_FIELDS, kind_problem
from interpreter.memory.store import MemoryRecord, MemoryStore
from interpreter.tasks.tools import Tool, ToolParam

DEFAULT_LIMIT = 10
MAX_LIMIT = 1000
TOOL_LIMIT = 5
NO_STORE = (
    "no long-term memory store is configured: give one with --memory FILE, the "
    "memory_db setting or Interpreter(memory=...) (make one with taskscheme memory index)"
)

# (detail of a lookup) -> None: publishes the lookup as a "memory" event
Publish = Callable[[dict[str, Any]], None]
# (source text, file name, first line) -> the value of evaluating it in the program
Evaluate = Callable[[str, str, int], Any]

register_writer(MemoryRecord, lambda record: f"#<memory-record {record.id}>")


# The parameters of the memory-lookup tool. `LIMIT`'s bounds are also those of the
# program's `#:limit`: one declaration for the schema the model sees and both checks.
QUERY = ToolParam("query", "string", "words to search for")
LIMIT = ToolParam(
    "limit",
    "integer",
    "at most this many results",
    minimum=1,
    maximum=MAX_LIMIT,
    default=TOOL_LIMIT,
    required=False,
)
KIND = ToolParam("kind", "string", "the kind of entries to search", choices=KINDS, required=False)


class MemoryLookupTool(Tool):
    """`memory-lookup` as the program calls it and as a model calls it: the model gives
    a query and, optionally, a limit and a kind, and reads the entries found as text."""

    def __init__(self, lookup: Callable[..., Any], search: Callable[..., list]) -> None:
        super().__init__("memory-lookup", _TOOL_DESCRIPTION, [QUERY, LIMIT, KIND], lookup)
        self._search = search

    def run(self, values: dict[str, Any]) -> str:
        query, limit, kind = values["query"], values["limit"], values.get("kind")
        records = self._search(query, limit, kind, None, False, "tool")
        return "\n\n".join(_as_text(record) for record in records) or "no entries found"


_TOOL_DESCRIPTION = (
    "Search long-term memory (documents and procedures) by words; "
    "returns the best matching entries with their text."
)


def _as_text(record: MemoryRecord) -> str:
    return f"[{record.id}] {record.title} ({record.path}:{record.line})\n{record.text}"


def memory_procedures(
    store: MemoryStore | None,
    publish: Publish | None,
    evaluate: Evaluate,
    is_bound: Callable[[str], bool],
) -> dict[str, Any]:
    """The memory procedures over `store` (None: each says how to configure one).
    `is_bound(name)`: does the program already have a global of that name?"""

    def opened() -> MemoryStore:
        if store is None:
            raise MemoryStoreError(NO_STORE)
        return store

    def search(
        query: str, limit: int, kind: str | None, where: Mapping | None, raw: bool, via: str
    ) -> list[MemoryRecord]:
        # a model reads whole entries, never snippets
        records = opened().search(query, limit, kind, where, raw=raw, snippets=via != "tool")
        if publish is not None:
            publish(
                {
                    "query": query,
                    "kind": kind,
                    "limit": limit,
                    "via": via,
                    "results": [record.id for record in records],
                }
            )
        return records

    def memory_lookup(*args: Any) -> Any:
        positional, options = split_keywords("memory-lookup", args, LOOKUP_OPTIONS)
        query = string_text(positional[0]) if len(positional) == 1 else None
        if query is None:
            got = " ".join(write_string(arg) for arg in positional) or "nothing"
            raise SchemeError(f"memory-lookup: expects one query string, then options; got {got}")
        given = {keyword.name: value for keyword, value in options.items()}
        limit = given.get("limit", DEFAULT_LIMIT)
        if type(limit) is not int or not LIMIT.within_range(limit):
            raise type_error("memory-lookup", f"#:limit {LIMIT.range_text()}", limit)
        kind = given.get("kind")
        if kind is not None:
            problem = kind_problem(kind)
            if problem is not None:
                raise problem
            kind = kind.name if isinstance(kind, Symbol) else string_text(kind)
        where = _where(given.get("where", NIL))
        raw = given.get("fts", False) is not False
        return python_to_list(search(query, limit, kind, where, raw, "program"))

    def memory_get(value: Any) -> Any:
        entry_id = string_text(value)
        if entry_id is None:
            raise type_error("memory-get", "an entry id string", value, 1)
        record = opened().get(entry_id)
        return False if record is None else record

    def memory_import(value: Any) -> Any:
        """Evaluate a procedure entry's source in the program, after the definitions of
        its file it needs that the program lacks: its definition is the program's from
        then on. The store is unchanged."""
        entry_id = value.id if isinstance(value, MemoryRecord) else string_text(value)
        if entry_id is None:
            raise type_error("memory-import", "an entry id string or a memory record", value, 1)
        record = opened().get(entry_id)
        if record is None:
            raise SchemeError(f"memory-import: no memory entry {entry_id}")
        if record.kind != "procedure":
            raise SchemeError(f"memory-import: {entry_id} is a document, not a procedure")
        for needed in [*_needed(opened(), record, is_bound), record]:
            evaluate(needed.text, needed.path, needed.line)
        return Symbol(record.metadata["name"])

    procedures: dict[str, Any] = {
        "memory-lookup": MemoryLookupTool(memory_lookup, search),
        "memory-get": memory_get,
        "memory-import": memory_import,
        "memory-record?": lambda value: isinstance(value, MemoryRecord),
    }
    for name in RECORD_FIELDS:
        procedures[f"memory-record-{name}"] = _accessor(name)
    return procedures


def _needed(
    store: MemoryStore, record: MemoryRecord, is_bound: Callable[[str], bool]
) -> list[MemoryRecord]:
    """The definitions of `record`'s file that it refers to, directly or through each
    other, and the program does not have, in file order (so each comes after what it
    uses, as in the file)."""
    found: dict[str, MemoryRecord] = {}
    pending = list(record.metadata.get("needs", ()))
    while pending:
        name = pending.pop()
        if name in found or name == record.metadata["name"] or is_bound(name):
            continue
        needed = store.get(f"{record.path}::{name}")
        if needed is not None:
            found[name] = needed
            pending.extend(needed.metadata.get("needs", ()))
    return sorted(found.values(), key=lambda needed: needed.line)


def _accessor(field: str) -> Callable[[Any], Any]:
    proc = f"memory-record-{field}"

    def accessor(record: Any) -> Any:
        if not isinstance(record, MemoryRecord):
            raise type_error(proc, "a memory record", record, 1)
        value = getattr(record, field)
        if field == "kind":
            return Symbol(value)
        if field == "metadata":
            return from_python(dict(value))
        return False if value is None else value

    accessor.scheme_name = proc  # type: ignore[attr-defined]
    return accessor


def _where(value: Any) -> dict[str, Any] | None:
    """`#:where '((key . value) ...)` as a dict; its keys symbols or strings, a symbol
    value standing for its name (`'((type . markdown))`)."""
    try:
        entries = list_to_python(value, "memory-lookup", "#:where")
    except ValueError:
        entries = None
    if entries is None or not all(is_pair(entry) for entry in entries):
        raise type_error("memory-lookup", "#:where an alist of (key . value)", value)
    where = {}
    for entry in entries:
        key = entry.car.name if isinstance(entry.car, Symbol) else string_text(entry.car)
        if key is None:
            raise type_error("memory-lookup", "#:where keys that are symbols or strings", entry)
        where[key] = entry.cdr.name if isinstance(entry.cdr, Symbol) else frozen(entry.cdr)
    return where or None
