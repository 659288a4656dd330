"""The REPL's meta-commands: `,help`, `,time EXPR`, `,limits`, `,describe NAME`, ...

Each is a function of the session and the rest of the line, registered with its usage
and a one-line description, so `,help`, completion and docs/repl.md list the same set.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from interpreter.cli.memory import result_lines
from interpreter.cli.repl.describe import describe
from interpreter.cli.repl.session import ReplSession
from interpreter.errors import ConfigError, TaskschemeError
from interpreter.lang.datums import Symbol
from interpreter.limits.models import ModelSpec, resolve_model
from interpreter.limits.settings import SETTINGS, Settings


class QuitRepl(Exception):
    """`,quit`: the session ends."""


@dataclass(frozen=True)
class MetaCommand:
    name: str
    usage: str
    summary: str
    run: Callable[[ReplSession, str], None]


COMMANDS: dict[str, MetaCommand] = {}


def command(usage: str, summary: str) -> Callable[[Callable], Callable]:
    def register(run: Callable[[ReplSession, str], None]) -> Callable:
        name = usage.split()[0]
        COMMANDS[name] = MetaCommand(name, usage, summary, run)
        return run

    return register


def run_command(session: ReplSession, line: str) -> None:
    """Run the meta-command `line` (it starts with a comma)."""
    name, _, argument = line.strip().partition(" ")
    found = COMMANDS.get(name) or COMMANDS.get(_unique_prefix(name))
    if found is None:
        session.complain(f"unknown command {name}; ,help lists the commands")
        return
    found.run(session, argument.strip())


def _unique_prefix(name: str) -> str | None:
    matches = [known for known in COMMANDS if known.startswith(name)]
    return matches[0] if len(matches) == 1 else None


# -- the commands -----------------------------------------------------------------------------


@command(",help", "this list")
def _help(session: ReplSession, argument: str) -> None:
    width = max(len(c.usage) for c in COMMANDS.values())
    lines = ["meta-commands (a unique prefix is enough, e.g. ,d for ,describe):"]
    lines += [f"  {c.usage:<{width}}  {c.summary}" for c in COMMANDS.values()]
    lines.append("results are numbered: $1, $2, ... name them in later input")
    session.say("\n".join(lines))


@command(",quit", "end the session (Ctrl-D does too)")
def _quit(session: ReplSession, argument: str) -> None:
    raise QuitRepl


@command(",time EXPR", "evaluate EXPR; show wall time, turns and tokens charged")
def _time(session: ReplSession, argument: str) -> None:
    if not argument:
        session.complain(",time needs an expression: ,time (f 10)")
        return
    charged = session.evaluate(argument)
    if charged is not None:
        session.say(f";; {charged.summary()}")


# The settings ,limits may change: the ones that shape a task's Handler and the run's
# budget. The budget belongs to the session: ,reset starts it again with the new limits.
LIMIT_KEYS = [
    "model",
    "max_turns",
    "context_fraction",
    "warning_threshold",
    "system_prompt",
    "timeout",
    "max_task_depth",
    "max_output_tokens",
    "max_cost",
    "workers",
    "budget_turns",
    "budget_tokens",
    "budget_billed_tokens",
    "budget_cost",
]
SESSION_KEYS = {"budget_turns", "budget_tokens", "budget_billed_tokens", "budget_cost"}


@command(",limits [KEY VALUE]", "show every setting and the model's prices, or set a limit")
def _limits(session: ReplSession, argument: str) -> None:
    if not argument:
        settings = session.settings
        width = max(len(key) for key in SETTINGS)
        lines = [
            f"  {key.replace('_', '-'):<{width}}  {settings.shown(key):<24}  {settings.source(key)}"
            for key in SETTINGS
        ]
        lines.append(_prices(settings))
        session.say("\n".join(["session settings (value, then where it came from):", *lines]))
        return
    key, _, value = argument.partition(" ")
    name = key.replace("-", "_")
    if name not in LIMIT_KEYS or not value.strip():
        keys = ", ".join(k.replace("_", "-") for k in LIMIT_KEYS)
        session.complain(f"usage: ,limits KEY VALUE, where KEY is one of {keys}")
        return
    if name in SESSION_KEYS:
        session.complain(
            f"{key} is the whole session's: ,limits {key} {value.strip()} takes effect at ,reset"
        )
    set_setting(session, name, value.strip())


def _prices(settings: Settings) -> str:
    """What the session's model costs, as a cost limit counts it."""
    spec = ModelSpec.parse(settings.get("model"))
    if spec.provider == "replay":
        return f"prices: those of the model {spec.text} recorded, read when it is replayed"
    info = resolve_model(spec, settings.model_overrides)
    if info.prices is None:
        return f'prices of {info.spec}: not known (give them in [models."{info.spec}"])'
    return f"prices of {info.spec}: {info.prices.summary()}"


def set_setting(session: ReplSession, name: str, value: str) -> None:
    try:
        session.change_settings(**{name: value})
    except ConfigError as error:
        session.complain(f"not changed: {error.message}")
        return
    session.say(f"{name.replace('_', '-')} = {session.settings.shown(name)}")


@command(",budget", "the session budget: used and left")
def _budget(session: ReplSession, argument: str) -> None:
    budget = session.interpreter.session.budget
    if budget is None:
        session.say("no session budget (start with --budget-turns N or --budget-tokens N)")
        return
    session.say(f"session {budget.snapshot().summary()}")


@command(",metrics", "the last task's full metrics")
def _metrics(session: ReplSession, argument: str) -> None:
    metrics = session.interpreter.last_metrics
    if metrics is None:
        session.say("no task has run yet")
        return
    session.say(json.dumps(metrics.to_dict(), indent=2))


@command(",transcript", "the last task's conversation")
def _transcript(session: ReplSession, argument: str) -> None:
    transcript = session.interpreter.runner.last_transcript
    if not transcript:
        session.say("no task has run yet")
        return
    for message in transcript:
        text = message.get("content") or ""
        calls = message.get("tool_calls") or []
        shown = [f"{call.get('name')}({json.dumps(call.get('arguments'))})" for call in calls]
        session.say(
            f"[{message.get('role')}] {text}" + (f" -> {', '.join(shown)}" if shown else "")
        )


@command(",env [PATTERN]", "this session's definitions (PATTERN: a substring or a glob)")
def _env(session: ReplSession, argument: str) -> None:
    names = [name for name in session.user_names() if _matches(name, argument)]
    if not names:
        session.say("no definitions" + (f" matching {argument}" if argument else " yet"))
        return
    for name in names:
        value = session.interpreter.global_environment.bindings[Symbol(name)]
        session.say(f"  {name}  ({describe(session, name, value).kind})")


@command(",describe NAME", "what NAME is: kind, arity, documentation, where it was defined")
def _describe(session: ReplSession, argument: str) -> None:
    name = argument.strip()
    if not name or any(char in name for char in " ()[]\"';"):
        session.complain(",describe needs a name: ,describe map")
        return
    found = describe(session, name, None)
    if found.kind in ("special form", "derived form"):
        session.say(found.text())
        return
    try:
        value = session.interpreter.eval_scheme(name, "<describe>")  # a variable reference
    except TaskschemeError as error:
        session.complain(error.message)
        return
    session.say(describe(session, name, value).text())


@command(",apropos PATTERN", "every bound name containing PATTERN")
def _apropos(session: ReplSession, argument: str) -> None:
    if not argument:
        session.complain(",apropos needs a pattern: ,apropos string")
        return
    names = [name for name in session.all_names() if _matches(name, argument)]
    session.say("  ".join(names) if names else f"nothing matches {argument}")


@command(",memory QUERY", "search long-term memory")
def _memory(session: ReplSession, argument: str) -> None:
    if not argument:
        session.complain(",memory needs a query: ,memory retry policy")
        return
    store = session.interpreter.memory
    if store is None:
        session.complain(
            "no long-term memory in this session: start the REPL with --memory FILE.db "
            "(made by taskscheme memory index), or set memory_db in taskscheme.toml"
        )
        return
    try:
        records = store.search(argument, limit=MEMORY_RESULTS)
    except TaskschemeError as error:
        session.complain(error.message)
        return
    session.say("\n".join(result_lines(records)) if records else f"nothing matches {argument}")


# what `,memory` shows: enough to choose from, short enough to read at the prompt
MEMORY_RESULTS = 5


@command(",load FILE", "evaluate a program file into the session")
def _load(session: ReplSession, argument: str) -> None:
    if not argument:
        session.complain(",load needs a file: ,load prog.scm")
        return
    path = Path(argument).expanduser()
    session.load(path)


@command(",trace on|off", "show task calls and turns as they happen")
def _trace(session: ReplSession, argument: str) -> None:
    if argument not in ("on", "off", ""):
        session.complain("usage: ,trace on  or  ,trace off")
        return
    if argument:
        session.tracing = argument == "on"
    session.say(f"trace is {'on' if session.tracing else 'off'}")


@command(",model SPEC", "use this model for tasks from now on")
def _model(session: ReplSession, argument: str) -> None:
    if not argument:
        session.say(f"model = {session.settings.get('model')}")
        return
    set_setting(session, "model", argument)


@command(",reset", "forget every definition and result; a fresh session budget")
def _reset(session: ReplSession, argument: str) -> None:
    session.reset()
    session.say("session reset")


def _matches(name: str, pattern: str) -> bool:
    if not pattern:
        return True
    if any(char in pattern for char in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return pattern in name
