"""One REPL session: its Interpreter, numbered results, and what the meta-commands read.

The Interpreter is built exactly as `run` builds one (settings, session budget, trace
file, recording), with the live display as an observer of its events. Each input is
evaluated on a deep-stack thread, as `run` evaluates a program, so deep recursion works
and Ctrl-C interrupts it; a mistake is shown as `run` shows it and the session goes on.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from interpreter.cli.live import LiveLimits
from interpreter.cli.repl.editing import keywords_of
from interpreter.diagnostics import format_error
from interpreter.engine.capabilities import Capabilities
from interpreter.engine.interpreter import Interpreter, ProgramExit
from interpreter.engine.stack import run_with_deep_stack
from interpreter.errors import TaskschemeError
from interpreter.lang.analyze import LANGUAGE_FORMS
from interpreter.lang.datums import UNSPECIFIED, Symbol
from interpreter.limits.events import Event, Observer
from interpreter.limits.metrics import ResourceMetrics
from interpreter.limits.settings import Settings, load_settings
from interpreter.tasks.language import TASK_FORMS


@dataclass
class Charged:
    """What one evaluation cost: wall time, and the turns and tokens of its tasks."""

    seconds: float
    turns: int
    tokens: int

    def summary(self) -> str:
        return f"{self.seconds:.3f}s wall, {self.turns} turn(s), {self.tokens:,} token(s) charged"


class ReplSession:
    """The state of one REPL session, independent of how input arrives.

    `numbered`: results are printed as `$N = value` and bound to `$N` (on a terminal);
    otherwise each value is printed alone, for scripts. `observers` see the events of
    every task (beside the live display and ,trace). `out` and `err` are looked up
    when written, so a display that wraps sys.stdout sees every line. `capabilities`:
    what the session's programs may reach (by default what `run` grants a program in
    the working directory).
    """

    def __init__(
        self,
        cli_values: dict[str, Any],
        settings: Settings,
        *,
        numbered: bool,
        record_path: str | None = None,
        observers: Iterable[Observer] = (),
        out: Callable[[], TextIO],
        err: Callable[[], TextIO],
        capabilities: Capabilities | None = None,
    ) -> None:
        self.cli_values = dict(cli_values)
        self.capabilities = capabilities or Capabilities.for_program(None)
        self.settings = settings
        self.numbered = numbered
        self.record_path = record_path
        self.observers = list(observers)
        self._out, self._err = out, err
        self.tracing = False
        self.inputs = 0
        self.results: list[Any] = []
        self.exit_code: int | None = None
        self.failures = 0  # inputs that ended in an error
        # ends a line the program's output left unfinished (the editor sets it), so a
        # value or a message starts a line of its own
        self.end_line: Callable[[], None] = lambda: None
        self.live = LiveLimits(settings.get("model"), None, settings.get("warning_threshold"))
        self.interpreter = self._new_interpreter()

    # -- output --------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.end_line()
        print(text, file=self._out(), flush=True)

    def complain(self, text: str) -> None:
        self._out().flush()  # what was printed before the complaint shows before it
        self.end_line()
        print(text, file=self._err(), flush=True)

    # -- the interpreter -------------------------------------------------------------------

    def _new_interpreter(self) -> Interpreter:
        interpreter = Interpreter(
            self.settings,
            observers=[self.live, self._trace, *self.observers],
            record_path=self.record_path,
            argv=["taskscheme"],
            capabilities=self.capabilities,
            stdin=sys.stdin,
        )
        interpreter.runner.keep_transcript = True
        self.live.budget = interpreter.session.budget
        self.initial_names = set(interpreter.global_environment.bindings)
        return interpreter

    def reset(self) -> None:
        """A fresh Interpreter from the current settings: definitions, results and the
        session budget start again."""
        self.interpreter.close()
        self.results = []
        self.interpreter = self._new_interpreter()

    def change_settings(self, **values: str) -> None:
        """Change the session's settings as if given on the command line (checked the
        same way); tasks defined from now on, and every `llm` call, use them."""
        settings = load_settings({**self.cli_values, **values})
        self.cli_values.update(values)
        self.settings = settings
        self.interpreter.settings = settings
        self.interpreter.runner.use_settings(settings)
        self.live.model = settings.get("model")
        self.live.warning_threshold = settings.get("warning_threshold")

    def close(self) -> None:
        self.interpreter.close()

    # -- evaluating ------------------------------------------------------------------------

    def evaluate(self, text: str) -> Charged | None:
        """Evaluate one input and show its value or its error; what it cost, or None
        when it was interrupted or the program asked to exit."""
        self.inputs += 1
        return self.run(lambda: self.interpreter.eval_scheme(text, f"<repl {self.inputs}>"))

    def load(self, path: Path) -> None:
        """Evaluate a program file into the session (`--load`, `,load`); its definitions
        stay, its value is not shown."""

        def action() -> Any:
            self.interpreter.eval_file(path)
            return UNSPECIFIED

        self.run(action)

    def run(self, action: Callable[[], Any]) -> Charged | None:
        """Run `action` (an evaluation) as `evaluate` runs an input, showing its value."""
        self.live.mark()
        started = time.monotonic()
        try:
            value = run_with_deep_stack(action, self.interpreter.interrupt)
        except ProgramExit as request:
            self.exit_code = request.code
            return None
        except TaskschemeError as error:
            self.failures += 1
            self.complain(format_error(error))
            self._show_exhaustion(error)
        except KeyboardInterrupt:
            self.complain("interrupted")
            for metrics, outcome in self.live.released_since_mark():
                if outcome == "interrupted":
                    self.complain(f"task {metrics.task} released: {metrics.summary()}")
            return None
        except Exception as bug:  # a bug of ours must not end the session and its definitions
            self.failures += 1
            self.complain(f"taskscheme: internal error: {type(bug).__name__}: {bug}")
            self.complain("(this is a bug in taskscheme; the session goes on)")
        else:
            self.show(value)
        released = self.live.released_since_mark()
        return Charged(
            time.monotonic() - started,
            sum(metrics.turns.used for metrics, _ in released),
            sum(metrics.tokens.input + metrics.tokens.output for metrics, _ in released),
        )

    def show(self, value: Any) -> None:
        if value is UNSPECIFIED:
            return
        if not self.numbered:
            self.say(self.interpreter.write_value(value))
            return
        self.results.append(value)
        name = f"${len(self.results)}"
        self.interpreter.global_environment.bindings[Symbol(name)] = value
        self.say(f"{name} = {self.interpreter.write_value(value)}")

    def _show_exhaustion(self, error: TaskschemeError) -> None:
        metrics = getattr(error, "metrics", None)
        if isinstance(metrics, ResourceMetrics):
            self.complain(f"metrics: {metrics.summary()}")
        budget = getattr(error, "budget", None)
        if budget is not None:
            self.complain(f"session budget: {budget.summary()}")

    # -- what meta-commands read -------------------------------------------------------------

    def user_names(self) -> list[str]:
        """The global names this session defined (its own definitions and $N results)."""
        names = self.interpreter.global_environment.bindings.keys() - self.initial_names
        return sorted(symbol.name for symbol in names if isinstance(symbol, Symbol))

    def all_names(self) -> list[str]:
        """Every global name a program can use: its own, the primitives, the library's,
        the special and derived forms."""
        interpreter = self.interpreter
        known = [*interpreter.global_environment.bindings, *interpreter.library.index]
        for registry in (*LANGUAGE_FORMS, TASK_FORMS):
            known += [*registry.special, *registry.derived]
        return sorted({s.name for s in known if not s.name.startswith("%")})

    def keywords(self, head: str) -> list[str]:
        """The keywords a call of `head` takes (for completion after `#:`)."""
        return keywords_of(head, self.interpreter.global_environment.bindings.get(Symbol(head)))

    def _trace(self, event: Event) -> None:
        if not self.tracing or event.task is None:
            return
        metrics = event.metrics
        if event.kind == "turn":
            line = f"turn {metrics.turns.used}/{metrics.turns.limit}"
        elif event.kind == "released":
            line = f"released ({event.detail.get('outcome')}): {metrics.summary()}"
        elif event.kind in ("warning", "exhausted", "tool"):
            detail = " ".join(f"{key}={value}" for key, value in event.detail.items())
            line = f"{event.kind} {detail}"
        else:
            return
        if event.kind == "turn" and metrics.turns.used == 1:
            self.complain(f"[trace] task {event.task} started (model {metrics.model})")
        self.complain(f"[trace] task {event.task}: {line}")
