"""Every kind of error taskscheme raises, each with its fields declared on its class.

Every error a program can cause is a `TaskschemeError`: it carries the span where it
happened and, once it has unwound through the evaluator, the program's own call chain.
`kind` is the name programs and messages use for it. How an error is shown is
`diagnostics.format_error`; this module only says what each error is and holds.
Values inside a message are written by the code that raises the error (the language's
printer lives above this module), so a message is plain text here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from interpreter.source import Span

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_RESOURCE = 3
EXIT_INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class Frame:
    """One entry of a call chain: the procedure that was running and the call's span.

    `via` names the procedure that call started, when it reached `name` by tail calls
    (its own frame was replaced, as proper tail calls require)."""

    name: str
    span: Span | None
    via: str | None = None
    # `name` went on by tail calls into the standard library, where the error happened
    into_library: bool = False


class UsageError(Exception):
    """A bad command line or API call, not a program error (exit code 2)."""


class Terminated(BaseException):
    """The command was asked to end by a signal (SIGTERM, SIGHUP): the program stops as
    on Ctrl-C, its Handlers released as interrupted, and the exit code is 128 + `signum`."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class TaskschemeError(Exception):
    """Base of every error a user's program can cause.

    `payload` is the value a Scheme `guard` clause receives; for errors raised from
    Python it is the exception itself, which the language sees as an error object.
    """

    kind = "error"
    entry = False  # an arity error raised on entry to a procedure, before its body ran
    running = None  # the procedure the evaluator's call loop was running when this passed
    # (running, called, span, frame) of the last call recorded in the chain: a deep
    # recursion records the same call again and again, and reuses its frame
    last_call: tuple | None = None
    # the outermost exception handler this error was raised from, by its depth on the
    # handler stack: it and every handler inside it have had their turn (lang/control.py)
    handled_at: int | None = None
    # the parallel-map item this error ended, set by the map: its position in the list
    # (from 1), the item as written (cut short), and how the headline names it
    item: int | None = None
    item_written: str | None = None
    in_item: str | None = None

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.chain: list[Frame] = []

    @property
    def payload(self) -> object:
        return self

    @property
    def irritants(self) -> list:
        return []

    def locate(self, span: Span | None) -> None:
        """Give the error a location if it has none yet (innermost wins)."""
        if self.span is None and span is not None:
            self.span = span

    def located(self, span: Span | None) -> TaskschemeError:
        self.locate(span)
        return self

    def add_frame(self, name: str, span: Span | None) -> None:
        self.chain.append(Frame(name, span))

    def headline(self) -> str:
        return self.shown_message

    @property
    def shown_message(self) -> str:
        """The message, after the parallel-map item the error ended, if it ended one
        (`error-object-message` stays the message itself)."""
        return self.message if self.in_item is None else f"{self.in_item}: {self.message}"


# ---------------------------------------------------------------- the language


class SchemeSyntaxError(TaskschemeError):
    """A form that cannot be read or expanded."""

    kind = "syntax-error"


class SchemeError(TaskschemeError):
    """An error object made by `(error message irritant ...)` or by a primitive.

    `shown` is each irritant as the language writes it, given by whoever raises the
    error; the headline is the message followed by them."""

    # made by (error 'who "message" irritant ...): shown as "who: message irritant ..."
    who_form = False

    def __init__(
        self,
        message: str,
        irritants: list | None = None,
        span: Span | None = None,
        *,
        shown: Sequence[str] = (),
    ) -> None:
        super().__init__(message, span)
        self._irritants = list(irritants or [])
        self.shown = list(shown)

    @property
    def irritants(self) -> list:
        return self._irritants

    def headline(self) -> str:
        if not self.shown:
            return self.shown_message
        message, shown = self.shown_message, self.shown
        if self.who_form:
            message, shown = f"{message}: {self._irritants[0]}", shown[1:]
        return " ".join([message, *shown])


class SchemeTypeError(SchemeError):
    """A primitive got a value of the wrong type."""

    kind = "type-error"


class FileError(SchemeError):
    """A file that cannot be named, opened or read (a program file too): the message
    names the procedure or the file, and why. `file-error?` is true of it."""

    kind = "file-error"


class ArityError(SchemeError):
    """A procedure was called with the wrong number of arguments."""

    kind = "arity-error"


class UnboundVariableError(SchemeError):
    kind = "unbound-variable"
    # the close name the error suggests, so the analyzer can prefer a close local one
    suggestion: str | None = None


class RecursionDepthError(SchemeError):
    kind = "recursion-too-deep"


class AllocationLimitError(SchemeError):
    """A call would make a list, vector, string or bytevector of more elements than the
    `max_allocation` setting allows, or an exact number too large to hold."""

    kind = "allocation-limit"


class ComputationLimitError(TaskschemeError):
    """A run or eval went past a limit its host set on computation. The program is
    stopped and its own guards and exception handlers never see this error: a program
    cannot swallow the limit it runs under. `resource` names the limit, `limit` its value."""

    kind = "computation-limit"
    resource: str = ""
    limit: float = 0


class StepLimitError(ComputationLimitError):
    """The program started more procedure bodies (calls and loop turns) than `max_steps`."""

    kind = "step-limit"
    resource = "steps"


class TimeLimitError(ComputationLimitError):
    """The program ran longer than `max_seconds` of wall-clock time."""

    kind = "time-limit"
    resource = "seconds"


class RaisedValue(TaskschemeError):
    """`(raise obj)` of something that is not an error object, not caught by the program.
    `shown` is the value as the language writes it."""

    kind = "uncaught-raise"

    def __init__(
        self, value: object, shown: str, continuable: bool = False, span: Span | None = None
    ) -> None:
        super().__init__(f"uncaught raise of {shown}", span)
        self.value = value
        self.continuable = continuable

    @property
    def payload(self) -> object:
        return self.value


class InternalError(TaskschemeError):
    """A bug of ours surfaced while running a program; --debug shows its traceback."""

    kind = "internal-error"
    original: BaseException | None = None


# ---------------------------------------------------------------- limits and settings


class ConfigError(TaskschemeError):
    """A configuration value that cannot be used: names the setting and the value."""

    kind = "config-error"


class ConfigWarning(UserWarning):
    """Configuration that is ignored rather than refused: an unknown `TASKSCHEME_`
    environment variable (other tools' variables share the prefix, so one must not stop
    every command). The command line prints it as one line on standard error."""


Resource = Literal[
    "turns",
    "context",
    "output-tokens",
    "cost",
    "time",
    "budget-turns",
    "budget-tokens",
    "budget-billed-tokens",
    "budget-cost",
]


class ResourceExhaustionError(TaskschemeError):
    """A task hit a limit: it ends at once, with what ran out (`resource`), the figures
    (`metrics`, a ResourceMetrics snapshot), the task's name and the partial transcript.
    Nothing is retried."""

    kind = "resource-exhausted"

    def __init__(
        self,
        resource: Resource,
        message: str,
        *,
        metrics: Any,
        task: str,
        call_site: Span | None = None,
        transcript: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message, call_site)
        self.resource = resource
        self.metrics = metrics
        self.task = task
        self.transcript = transcript or []

    @property
    def call_site(self) -> Span | None:
        """The call that ran the task: the Handler's own, or else where the error was
        located as it unwound through the task's call (the same as `span`)."""
        return self.span


class BudgetExhaustedError(ResourceExhaustionError):
    """The run's budget ran out while a task was charging it; `budget` is its snapshot
    (BudgetMetrics)."""

    def __init__(self, resource: Resource, message: str, *, budget: Any, **kw: Any):
        super().__init__(resource, message, **kw)
        self.budget = budget


class HandlerReleasedError(TaskschemeError):
    """A released Handler was used again; its conversation is gone."""

    kind = "handler-released"


# ---------------------------------------------------------------- providers

Reason = Literal[
    "auth",
    "rate-limit",
    "timeout",
    "connection",
    "server",
    "bad-request",
    "malformed",
    "cassette-mismatch",
    "cassette-missing",
]

_REASON_TEXT: dict[str, str] = {
    "auth": "authentication failed",
    "rate-limit": "rate limited",
    "timeout": "timed out",
    "connection": "could not connect",
    "server": "server error",
    "bad-request": "request rejected",
    "malformed": "malformed response",
    "cassette-mismatch": "request not in cassette",
    "cassette-missing": "cassette not found",
}

_ABBREVIATE_AT = 40


def abbreviate(text: str, limit: int = _ABBREVIATE_AT) -> str:
    """One line of at most `limit` characters, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class RequestSummary:
    """Enough of a request to recognise it in an error message."""

    model: str
    message_count: int
    last_user: str | None

    @staticmethod
    def of(request: Any) -> RequestSummary:
        """The summary of a ModelRequest."""
        last = next((m.content for m in reversed(request.messages) if m.role == "user"), None)
        return RequestSummary(request.model, len(request.messages), last)

    def counts(self) -> str:
        plural = "" if self.message_count == 1 else "s"
        text = f"{self.message_count} message{plural}"
        if self.last_user is not None:
            text += f', last: "{abbreviate(self.last_user)}"'
        return text

    def __str__(self) -> str:
        return f"{self.model} ({self.counts()})"


class ProviderError(TaskschemeError):
    """A model call that failed. `reason` is one of `Reason`; `status` is the HTTP status
    when there was one; `detail` is the server's own message (or ours, when there was no
    server); `where` is the base URL or cassette path that was used.

    The message reads, for example:
    openai: rate limited (HTTP 429) calling gpt-4o-mini at http://127.0.0.1:5555/v1
    (3 messages, last: "Label this ticket…"): slow down
    """

    kind = "provider-error"

    def __init__(
        self,
        provider: str,
        reason: Reason,
        detail: str = "",
        *,
        request: Any = None,
        status: int | None = None,
        where: str | None = None,
        what: str | None = None,
    ) -> None:
        self.provider = provider
        self.reason = reason
        self.status = status
        self.detail = detail
        self.where = where
        self.request_summary = RequestSummary.of(request) if request is not None else None
        super().__init__(self._compose(what or _REASON_TEXT[reason]))

    def _compose(self, what: str) -> str:
        summary = self.request_summary
        text = f"{self.provider}: {what}"
        if self.status is not None:
            text += f" (HTTP {self.status})"
        if summary is not None:
            text += f" calling {summary.model}"
        if self.where:
            text += f" at {self.where}"
        if summary is not None:
            text += f" ({summary.counts()})"
        if self.detail:
            text += f": {self.detail}"
        return text


class ProviderConfigError(TaskschemeError):
    """A model that cannot be set up: an unknown spec prefix or a missing SDK."""

    kind = "provider-config-error"


class ModelSpecError(ConfigError, ProviderConfigError):
    """A model spec string that is not one (`ModelSpec.parse`): `spec` is the text, and
    the message says what is wrong with it and what a spec is. A config-error, which code
    that sets up a provider also catches as a ProviderConfigError."""

    kind = "config-error"

    def __init__(self, spec: str, problem: str) -> None:
        super().__init__(f"model spec {spec!r} {problem}")
        self.spec = spec


class ScriptExhaustedError(TaskschemeError):
    """A `ScriptedModel` received more requests than it has responses."""

    kind = "script-exhausted"


# ---------------------------------------------------------------- tasks

_RAW_SHOWN = 300  # characters of a wrong answer shown in the error message


class ExecutorError(TaskschemeError):
    """The executor a parallel-map asked for cannot run: Ray is not installed, its
    cluster cannot be reached or started, or the system gives no more threads.
    `not_run` holds the positions (from 1) of the items that did not run."""

    kind = "executor-error"
    not_run: Sequence[int]

    def __init__(self, message: str, not_run: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.not_run = not_run


class WorkerLostError(TaskschemeError):
    """The process running a parallel-map item on Ray died (killed, out of memory, its
    machine lost). The item is not run again, so none of its model calls is repeated.
    `item` is the item's position in the list, from 1."""

    kind = "worker-lost"
    item: int

    def __init__(self, message: str, item: int) -> None:
        super().__init__(message)
        self.item = item


class TaskNestingError(SchemeError):
    """Tasks calling tasks too deeply, or in a cycle. A mistake in the program's structure,
    so it is never handed to a model as a tool error."""

    kind = "task-nesting-error"


class TaskOutputError(SchemeError):
    """The model's final answer is not the output the task asked for. `raw` is the answer
    as the model wrote it (also the error's irritant)."""

    kind = "task-output-error"

    def __init__(self, task: str, problem: str, raw: str) -> None:
        super().__init__(f"{task}: {problem}", [raw])
        self.task = task
        self.problem = problem
        self.raw = raw

    def headline(self) -> str:
        """The message, then the answer as the model wrote it, on one line and cut short
        if long (`task-output-raw` has all of it)."""
        flat = " ".join(self.raw.split())
        if len(flat) > _RAW_SHOWN:
            flat = flat[: _RAW_SHOWN - 1].rstrip() + "…"
        return f"{self.shown_message} (the model answered: {flat or 'nothing'})"


class SchemaError(TaskschemeError):
    """An output schema that is not one this validator understands (found at definition)."""

    kind = "schema-error"


class ToolError(SchemeError):
    """A tool that cannot be defined, or arguments from the model that do not fit it."""

    kind = "tool-error"


class TemplateError(SchemeError):
    """A placeholder that names nothing the task can see."""

    kind = "template-error"


# ---------------------------------------------------------------- long-term memory


class MemoryStoreError(SchemeError):
    """A long-term memory store that cannot be used: missing, unreadable, corrupt, not a
    taskscheme store or of another schema version (`path` names the file), or none
    configured when a program asks for one (`path` is None)."""

    kind = "memory-store-error"

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class MemoryReadOnlyError(SchemeError):
    """An attempt to change long-term memory while a program runs: the store is opened
    read-only, and only the indexer writes it (`path` names the file)."""

    kind = "memory-read-only"

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


# ---------------------------------------------------------------- embedding


class CapabilityError(SchemeError):
    """The program reached for something of the host it was not given: a file to read
    or write, an environment variable. `capability` is "read", "write" or "env";
    `target` the resolved path or the variable's name."""

    kind = "capability-error"

    def __init__(self, message: str, *, capability: str, target: str) -> None:
        super().__init__(message)
        self.capability = capability
        self.target = target


class ProgramExitError(TaskschemeError):
    """An embedded program called `(exit code)`: the evaluation ends, and the host gets
    this error carrying the `code` (the command line exits with it instead)."""

    kind = "exit"

    def __init__(self, code: int) -> None:
        super().__init__(f"the program called (exit {code})")
        self.code = code


class OutputLimitError(SchemeError):
    """The program wrote more than its output sink (`LimitedOutput`) accepts: `limit`
    characters."""

    kind = "output-limit"

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit
