"""The built-in tools (memory-lookup, and ask_user of interactive tasks) accept exactly
what the JSON schema their model is shown allows: every bound and choice it states is
the one their code enforces, at the bound and just past it."""

from __future__ import annotations

from pathlib import Path

import pytest
from tasks_support import interpreter

from interpreter.errors import SchemeTypeError
from interpreter.memory.indexer import index_paths
from interpreter.providers import FunctionModel


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kb")
    (root / "refunds.md").write_text("# Refund policy\n\nRefunds are paid within 30 days.\n")
    index_paths(root / "memory.db", [root])
    return root / "memory.db"


def _probes(schema: dict) -> list[tuple[dict, bool]]:
    """Arguments probing each rule of `schema`, each with whether it must be accepted:
    the required arguments alone, then each property with a value of another type
    (refused), at its bounds and choices (accepted) and just past them (refused)."""
    properties, required = schema["properties"], schema["required"]
    base = {name: _sample(properties[name]) for name in required}
    probes = [(base, True)]
    for name, rules in properties.items():
        probes.append(({**base, name: [] if rules["type"] == "string" else "text"}, False))
        for bound, step in (("minimum", -1), ("maximum", 1)):
            if bound in rules:
                probes.append(({**base, name: rules[bound]}, True))
                probes.append(({**base, name: rules[bound] + step}, False))
        for choice in rules.get("enum", ()):
            probes.append(({**base, name: choice}, True))
        if "enum" in rules:
            probes.append(({**base, name: "none of these"}, False))
        if "default" in rules:
            probes.append(({**base, name: rules["default"]}, True))
    return probes


def _sample(rules: dict) -> object:
    return {"string": "refunds", "integer": 1, "number": 1, "boolean": True}[rules["type"]]


def _run_probes(tool: str, options: str, **interpreter_options) -> list[tuple[dict, bool, str]]:
    """Offer `tool` to a task; its model calls it once with every probe of the schema it
    is shown. (arguments, whether they had to be accepted, the tool's answer) of each."""
    probes: list[tuple[dict, bool]] = []

    def model(request):
        if len(probes) == 0 and not any(m.role == "tool" for m in request.messages):
            (spec,) = [spec for spec in request.tools if spec.name == tool]
            probes.extend(_probes(spec.parameters))
            calls = [{"name": tool, "arguments": arguments} for arguments, _ in probes]
            return {"tool_calls": calls}
        return "done"

    provider = FunctionModel(model)
    interp = interpreter(provider, config={"max_turns": 100}, **interpreter_options)
    interp.eval(f'(define-task (t q) {options} "{{{{q}}}}") (t "go")')
    request = provider.requests[-1]
    results = [m for m in request.messages if m.role == "tool"]
    assert len(results) == len(probes) > 1
    return [
        (arguments, accepted, result.content)
        for (arguments, accepted), result in zip(probes, results, strict=True)
    ]


@pytest.mark.parametrize(
    ("tool", "options", "needs"),
    [
        ("memory-lookup", "#:tools (list memory-lookup)", "memory"),
        ("ask_user", "#:interactive #t", "ask_user"),
    ],
)
def test_a_builtin_tool_accepts_its_schema_bounds_and_refuses_past_them(db, tool, options, needs):
    extra = {"memory": str(db)} if needs == "memory" else {"ask_user": lambda question: "yes"}
    for arguments, accepted, content in _run_probes(tool, options, **extra):
        assert content.startswith("error:") is not accepted, (arguments, content)
        if not accepted:
            assert f"{tool}: argument " in content


def test_the_memory_lookup_schema_states_the_bounds_the_program_option_keeps(db):
    provider = FunctionModel(lambda request: "done")
    interp = interpreter(provider, memory=str(db))
    interp.eval('(define-task (t q) #:tools (list memory-lookup) "{{q}}") (t "go")')
    (spec,) = provider.requests[0].tools
    limit = spec.parameters["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 1000, 5)
    assert "limit" not in spec.parameters["required"]
    for value in (limit["minimum"], limit["maximum"]):
        interp.eval(f'(memory-lookup "refunds" #:limit {value})')
    for value in (limit["minimum"] - 1, limit["maximum"] + 1):
        with pytest.raises(SchemeTypeError, match="#:limit from 1 to 1000"):
            interp.eval(f'(memory-lookup "refunds" #:limit {value})')
