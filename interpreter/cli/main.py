"""The `taskscheme` command: run, eval, check, config and repl.

A program's mistakes print one located message and exit 1; a resource limit or the
run budget exits 3; Ctrl-C exits 130, SIGTERM 143 and SIGHUP 129 (each stops the program
as Ctrl-C does); bad command lines exit 2. A Python traceback appears only for bugs of
ours, and only with --debug.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interpreter.cli.memory import add_memory_parser, run_memory
from interpreter.diagnostics import format_error
from interpreter.errors import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_RESOURCE,
    EXIT_USAGE,
    ConfigError,
    ConfigWarning,
    ProviderConfigError,
    ProviderError,
    TaskschemeError,
    Terminated,
    UsageError,
)
from interpreter.exports import installed_version
from interpreter.lang.datums import UNSPECIFIED
from interpreter.limits.models import OFFLINE_PROVIDERS, ModelSpec, resolve_model
from interpreter.limits.prices import unknown_price_error
from interpreter.limits.settings import DEFAULT, SETTINGS, Settings, load_settings
from interpreter.providers.extras import require_sdk

if TYPE_CHECKING:
    from interpreter.engine.interpreter import Interpreter

# The settings that have a command-line option, each derived from its entry in SETTINGS.
_FLAGGED = [setting for setting in SETTINGS.values() if setting.flag]
# The reader of standard output stopped reading (`| head`): 128 + SIGPIPE, what a shell
# reports for any other tool stopped that way.
EXIT_READER_GONE = 141
# A signal that ends the command (SIGTERM, SIGHUP) exits with 128 + its number, as a
# shell reports it.
EXIT_SIGNALLED = 128
STDIN_NAME = "<stdin>"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="taskscheme",
        description="Run Scheme programs that call language models under hard, visible limits.",
    )
    parser.add_argument(
        "--version", action="store_true", help="print the version of taskscheme and exit"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    limits = argparse.ArgumentParser(add_help=False)
    group = limits.add_argument_group("settings (override configuration)")
    for setting in _FLAGGED:
        group.add_argument(
            setting.flag,
            dest=setting.name,
            metavar=setting.metavar,
            help=setting.described(),
        )
    output = limits.add_argument_group("observing a run")
    output.add_argument(
        "--verbose",
        action="store_true",
        help="print warnings and a summary line per task to stderr",
    )
    output.add_argument(
        "--quiet",
        action="store_true",
        help="no live status line on a terminal",
    )
    output.add_argument(
        "--record",
        metavar="CASSETTE",
        help="record every model exchange to this cassette (JSON Lines)",
    )
    output.add_argument(
        "--debug", action="store_true", help="show Python tracebacks for internal errors"
    )

    sandbox = argparse.ArgumentParser(add_help=False)
    sandbox.add_argument(
        "--sandbox",
        action="store_true",
        help="grant the program nothing of the host (no files, no environment variables, "
        "no other models or executors), as an embedded Interpreter; by default it may read "
        "its own directory tree (the working directory for eval and the REPL) and write the "
        "working directory",
    )

    run = commands.add_parser(
        "run",
        parents=[limits, sandbox],
        help="run a program file",
        usage="taskscheme run [options] FILE [ARGS...] [-- PROGRAM-OPTIONS...]",
        epilog="Options may come before or after FILE. Other words after FILE, and everything "
        "after --, are the program's own arguments, seen in (command-line).",
    )
    run.add_argument("file", help="the program (.scm); - reads it from standard input")

    evaluate = commands.add_parser(
        "eval", parents=[limits, sandbox], help="evaluate an expression and print its value"
    )
    evaluate.add_argument("expression", help="the expression(s); - reads them from standard input")

    check = commands.add_parser(
        "check", help="read and expand files without running them; report every error"
    )
    check.add_argument(
        "files", nargs="+", metavar="FILE", help="a program; - reads it from standard input"
    )
    check.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    config = commands.add_parser(
        "config",
        parents=[limits],
        help="print the effective configuration and where each value came from",
    )
    config.set_defaults(file=None)
    add_memory_parser(commands)

    repl = commands.add_parser(
        "repl",
        parents=[limits, sandbox],
        help="an interactive session (plain `taskscheme` starts one too)",
    )
    repl.add_argument("--load", metavar="FILE", help="evaluate this program file first")
    return parser


def main(argv: list[str] | None = None) -> int:
    warnings.showwarning = _show_warning
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    after: list[str] = []
    if argv[:1] == ["run"] and "--" in argv[2:]:
        # everything after `--` is the program's, untouched (argparse would drop the
        # `--` itself when it comes right after FILE, and then read what follows)
        cut = argv.index("--", 2)
        argv, after = argv[:cut], argv[cut + 1 :]
    options, extra = parser.parse_known_args(argv)
    if options.command == "run":
        options.args = _program_arguments(parser, extra) + after
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if options.version:
        print(f"taskscheme {installed_version()}")
        return EXIT_OK
    if options.command is None and not argv and sys.stdin.isatty():
        options = parser.parse_args(["repl"])
    if options.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code = _dispatch(options)
        sys.stdout.flush()
        return code
    except (BrokenPipeError, _ReaderGone):
        return _reader_gone()
    except UsageError as error:
        print(f"taskscheme: {error}", file=sys.stderr)
        return EXIT_USAGE
    except TaskschemeError as error:
        # configuration and set-up errors found before the program runs
        print(format_error(error), file=sys.stderr)
        # a memory store that cannot be opened is found at start-up, like a bad setting
        startup = ("config-error", "memory-store-error")
        return EXIT_USAGE if error.kind in startup else EXIT_ERROR
    except KeyboardInterrupt:
        print("taskscheme: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated as stop:
        import signal  # loaded already, by the handler that raised this

        print(f"taskscheme: stopped by {signal.Signals(stop.signum).name}", file=sys.stderr)
        return EXIT_SIGNALLED + stop.signum


_PYTHON_SHOWWARNING = warnings.showwarning


def _show_warning(
    message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any
) -> None:
    """A configuration warning as one line of standard error, as the command's errors are."""
    if issubclass(category, ConfigWarning):
        print(f"taskscheme: warning: {message}", file=sys.stderr)
    else:
        _PYTHON_SHOWWARNING(message, category, *args, **kwargs)


def _program_arguments(parser: argparse.ArgumentParser, extra: list[str]) -> list[str]:
    """The words after FILE that are not ours: the program's arguments.

    Before `--`, a word that looks like an option must be one of ours, so a mistyped
    option is reported rather than silently handed to the program.
    """
    if "--" in extra:
        cut = extra.index("--")
        before, after = extra[:cut], extra[cut + 1 :]
    else:
        before, after = extra, []
    for word in before:
        if word.startswith("--"):
            parser.error(f"unknown option {word} (program options go after --)")
    return before + after


def _dispatch(options: argparse.Namespace) -> int:
    if options.command == "check":
        return _check(options.files)
    if options.command == "memory":
        return run_memory(options)
    settings = load_settings({setting.name: getattr(options, setting.name) for setting in _FLAGGED})
    if options.command == "config":
        print(settings.report())
        return EXIT_OK
    _check_model(settings)
    _check_record(options.record)
    with _terminating_signals():
        return _run_command(options, settings)


def _run_command(options: argparse.Namespace, settings: Settings) -> int:
    """Run the program, expression or session of `options` (run, eval, repl)."""
    if options.command == "repl":
        from interpreter.cli.repl import run_repl  # only the REPL loads the editor (start-up)

        cli_values = {setting.name: getattr(options, setting.name) for setting in _FLAGGED}
        return run_repl(
            cli_values,
            settings,
            load=options.load,
            record=options.record,
            quiet=options.quiet,
            observers=[_tool_error_warning, *[_verbose_line] * options.verbose],
            sandbox=options.sandbox,
        )
    if options.command == "run":
        text, name, directory = _read_program(options.file)
        return _run_program(
            options,
            settings,
            lambda interp: interp.eval_scheme(text, name, directory=directory),
            [options.file, *options.args],
            directory,
        )
    expression, name = options.expression, "<eval>"
    if expression == "-":
        expression, name, _ = _read_program(expression)
    return _run_program(
        options,
        settings,
        lambda interp: _print_value(interp, interp.eval_scheme(expression, name)),
        ["taskscheme"],
        None,
    )


@contextmanager
def _terminating_signals() -> Iterator[None]:
    """For the extent of the block, SIGTERM and SIGHUP raise Terminated in the main
    thread, which stops the program as Ctrl-C does (its Handlers released, its trace and
    cassette closed); a signal the command was started ignoring (nohup) stays ignored."""
    import signal  # only commands that run programs need it (start-up)

    if threading.current_thread() is not threading.main_thread():
        yield  # an embedder calling main() from a thread keeps its own handlers
        return
    numbers = [signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    previous = {
        number: signal.signal(number, _terminate)
        for number in numbers
        if signal.getsignal(number) is not signal.SIG_IGN
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated(signum)


def _check_model(settings: Settings) -> None:
    """The default model must be one the command line can reach (not a Python-only test
    model; a cassette or script that exists and reads; a model chosen by name whose SDK
    is installed), and have a price if the run has a cost limit: found before the program
    runs, not at its first task. A model named by its provider is checked against the
    model registry; only a cassette or an offline model needs the provider layer, which
    a short program never loads."""
    text = settings.get("model")
    try:
        spec = ModelSpec.parse(text)
        if spec.provider in ("replay", *OFFLINE_PROVIDERS):
            # the provider layer reads the cassette or script, or refuses (start-up)
            from interpreter.providers.options import make_provider, options_from_settings

            provider = make_provider(spec, options_from_settings(settings.values))
            # a cassette is priced as the model it recorded, known once it is replayed
            priced = None if spec.provider == "replay" else provider.spec
        else:
            priced = spec
            if settings.source("model") != DEFAULT:  # the default is needed only once used
                require_sdk(spec.provider)
        info = None if priced is None else resolve_model(priced, settings.model_overrides)
        for limit in ("budget_cost", "max_cost"):
            if info is not None and info.prices is None and settings.get(limit) is not None:
                where = settings.source(limit)
                raise unknown_price_error(info.spec, f"{limit} from {where} cannot be kept")
    except (ConfigError, ProviderConfigError, ProviderError) as error:
        raise ConfigError(
            f"model = {json.dumps(text)} from {settings.source('model')}: {error.message}"
        ) from None


def _check_record(path: str | None) -> None:
    """The cassette of --record is first written at the first model call: a path it
    cannot be written to is a usage error now, not a failure in the middle of the run."""
    if path is None:
        return
    target = Path(path)
    directory = target.parent
    if not directory.is_dir():
        missing = "is not a directory" if directory.exists() else "does not exist"
        raise UsageError(f"--record {path}: {directory} {missing}")
    if target.is_dir():
        raise UsageError(f"--record {path}: is a directory; give a file to record to")
    if not os.access(target if target.exists() else directory, os.W_OK):
        raise UsageError(f"--record {path}: cannot be written (permission denied)")


def _reader_gone() -> int:
    """End quietly once standard output's reader has gone, as SIGPIPE ends other tools:
    what is still buffered has nowhere to go, so it goes nowhere."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_READER_GONE


def _print_value(interp: Interpreter, value: Any) -> None:
    if value is not UNSPECIFIED:
        print(interp.write_value(value))


def _read_program(name: str) -> tuple[str, str, Path | None]:
    """The program `name` names (a file, or - for standard input): its text, the name its
    errors show and the directory `load` starts from (None: the working directory). A
    program that cannot be read is a usage error."""
    # only commands that read programs load the engine
    from interpreter.engine.interpreter import MAX_SOURCE_BYTES, decode_source, read_source

    try:
        if name == "-":
            return (
                decode_source(sys.stdin.buffer.read(MAX_SOURCE_BYTES + 1), STDIN_NAME),
                STDIN_NAME,
                None,
            )
        return read_source(Path(name)), name, Path(name).parent
    except TaskschemeError as error:
        raise UsageError(error.message) from None


def _check(files: list[str]) -> int:
    from interpreter.engine.interpreter import Interpreter  # only commands that read programs

    found = 0
    for name in files:
        text, shown, _ = _read_program(name)
        # checking runs nothing, so it must not start (and truncate) a trace file
        errors = Interpreter(load_settings({"trace": ""})).check(text, shown)
        for error in errors:
            print(format_error(error), file=sys.stderr)
        found += len(errors)
    if found:
        print(f"{found} error(s) found", file=sys.stderr)
        return EXIT_ERROR
    print(f"ok: {len(files)} file(s) read and expanded, no errors")
    return EXIT_OK


def _run_program(
    options: argparse.Namespace,
    settings: Settings,
    action: Callable,
    argv: list[str],
    directory: Path | None,
) -> int:
    """Run `action` on an Interpreter for the program of `directory` (None: the working
    directory's)."""
    # loading the evaluator and making the Interpreter free nothing: no collection
    # (see cli/__init__.py)
    gc.disable()
    try:
        # the evaluator is loaded only to run something: --help and config stay fast
        from interpreter.cli.statusline import run_display, shown
        from interpreter.engine.capabilities import Capabilities
        from interpreter.engine.interpreter import Interpreter, ProgramExit
        from interpreter.engine.stack import run_with_deep_stack

        live = run_display(settings, quiet=options.quiet)
        sandbox = options.sandbox
        interpreter = Interpreter(
            settings,
            observers=[_tool_error_warning, *[_verbose_line] * options.verbose]
            + ([live] if live else []),
            record_path=options.record,
            argv=argv,
            capabilities=Capabilities() if sandbox else Capabilities.for_program(directory),
            stdin=sys.stdin,
        )
    finally:
        # Every procedure call allocates a frame, so a program allocates containers far
        # faster than the cyclic collector's default pace (a young collection every 700)
        # expects: collecting less often makes allocation-heavy programs (building and
        # sorting long lists) about a third faster, for the same peak memory.
        gc.set_threshold(50_000, 20, 10)
        # The evaluator's modules and the Interpreter live until exit: frozen, no
        # collection walks them again, the one at exit included (about 12 ms of eval's
        # start-up).
        gc.freeze()
        gc.enable()
    output = _ProgramOutput.install()
    try:
        with shown(live, lambda: interpreter.session.budget):
            run_with_deep_stack(lambda: action(interpreter), interpreter.interrupt)
        sys.stdout.flush()
        return EXIT_OK
    except ProgramExit as exit_request:
        sys.stdout.flush()
        return exit_request.code
    except TaskschemeError as error:
        sys.stdout.flush()
        output.end_line()
        print(format_error(error), file=sys.stderr)
        if options.debug and getattr(error, "original", None) is not None:
            import traceback  # only --debug shows a traceback (start-up)

            traceback.print_exception(error.original, file=sys.stderr)
        if getattr(error, "resource", None) is not None:
            _print_metrics(error)
            return EXIT_RESOURCE
        return EXIT_ERROR
    except Exception as bug:
        sys.stdout.flush()
        print(f"taskscheme: internal error: {type(bug).__name__}: {bug}", file=sys.stderr)
        if options.debug:
            import traceback  # only --debug shows a traceback (start-up)

            traceback.print_exception(bug, file=sys.stderr)
        else:
            print(
                "(this is a bug in taskscheme; run with --debug for the Python traceback)",
                file=sys.stderr,
            )
        return EXIT_ERROR
    finally:
        if options.verbose and interpreter.last_metrics is not None:
            print(f"run: {interpreter.session.budget.snapshot().summary()}", file=sys.stderr)
        output.uninstall()
        interpreter.close()


class _ReaderGone(BaseException):
    """Raised in the program when standard output's reader has gone: like `(exit)`, a
    BaseException, so the program cannot mistake it for an error of its own and stops,
    `dynamic-wind` after-thunks still running."""


class _ProgramOutput:
    """Standard output while a program runs.

    When the reader of a pipe stops reading (`| head`), the program stops (its further
    output is dropped, so after-thunks that print still finish). When standard output
    and standard error are the same terminal, it remembers whether the output ended a
    line, so that an error message starts on a line of its own instead of after a
    half-written one; output to a file or a pipe is never changed.
    """

    def __init__(self, stream: Any, shared_terminal: bool) -> None:
        self._stream = stream
        self._shared_terminal = shared_terminal
        self._reader_gone = False
        self.at_line_start = True

    @classmethod
    def install(cls) -> _ProgramOutput:
        try:
            shared = sys.stdout.isatty() and sys.stderr.isatty()
        except (AttributeError, ValueError):
            shared = False
        wrapper = cls(sys.stdout, shared)
        sys.stdout = wrapper
        return wrapper

    def uninstall(self) -> None:
        if sys.stdout is self:
            sys.stdout = self._stream

    def write(self, text: str) -> int:
        if text:
            self.at_line_start = text.endswith("\n")
        return self._guarded(self._stream.write, text) or len(text)

    def flush(self) -> None:
        self._guarded(self._stream.flush)

    def _guarded(self, action: Callable, *args: Any) -> Any:
        if self._reader_gone:
            return None
        try:
            return action(*args)
        except BrokenPipeError:
            self._reader_gone = True
            raise _ReaderGone from None

    def end_line(self) -> None:
        if self._shared_terminal and not self.at_line_start:
            sys.stderr.write("\n")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _print_metrics(error: Any) -> None:
    metrics = getattr(error, "metrics", None)
    if metrics is not None and hasattr(metrics, "summary"):
        print(f"metrics: {metrics.summary()}", file=sys.stderr)
    budget = getattr(error, "budget", None)
    if budget is not None and hasattr(budget, "summary"):
        print(f"run budget: {budget.summary()}", file=sys.stderr)


def _unit(resource: Any) -> str:
    """What a warning counts, in words: turns, context tokens, dollars..."""
    return {
        "context": "context tokens",
        "budget-tokens": "budget tokens",
        "output-tokens": "output tokens",
        "cost": "dollars",
        "budget-billed-tokens": "billed tokens",
        "budget-cost": "dollars",
    }.get(resource, str(resource))


def _tool_error_warning(event: Any) -> None:
    """Every error of a tool's procedure that was sent to the model, shown as a warning
    (a run goes on after it, so it would go unseen); one the task raised is shown as
    the run's error, or handled by the program."""
    if event.kind == "tool-error" and event.detail.get("outcome") == "sent":
        detail = event.detail
        print(
            f"warning: in task {event.task}, tool {detail['tool']} failed; "
            f"its error was sent to the model:\n{detail['shown']}",
            file=sys.stderr,
        )


def _verbose_line(event: Any) -> None:
    if event.kind == "warning":
        detail = event.detail
        who = f"task {event.task}" if event.task else "run budget"
        said = detail.get("message")
        print(
            f"warning: {who}: {said}"
            if said
            else f"warning: {who} has used {detail.get('used')} of {detail.get('limit')} {_unit(detail.get('resource'))}",
            file=sys.stderr,
        )
    elif event.kind == "released":
        print(f"task {event.task}: {event.metrics.summary()}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
