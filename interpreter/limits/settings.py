"""Configuration: the per-task HandlerConfig and the layered settings it is built from.

Settings come from five layers, lowest to highest: built-in defaults, the user file
(`$XDG_CONFIG_HOME/taskscheme/config.toml`, else `~/.config/taskscheme/config.toml`), the
project file (`taskscheme.toml`, else `[tool.taskscheme]` in `pyproject.toml`, the nearest
one from the working directory upward), `TASKSCHEME_<KEY>` environment variables, and
command-line values. Every value is type-checked where it enters, and an error names the
key, the value and the layer, so a typo in a file is never silently ignored. Each value
remembers where it came from (`Settings.source`) for `taskscheme config`. A vendor's own
variables (OPENAI_API_KEY, ANTHROPIC_BASE_URL, ...) fill the provider settings no layer
sets, as the vendor SDKs would read them.

Each setting is declared once, in `SETTINGS`: its type, check, default, command-line
flag, task option and HandlerConfig field. The command line's options, the task options
and every validation are derived from that table.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from interpreter.diagnostics import suggest
from interpreter.errors import ConfigWarning
from interpreter.limits.models import (
    ConfigError,
    ModelInfo,
    ModelSpec,
    check_model_entry,
    resolve_model,
    whole_number_problem,
)

__all__ = [
    "DEFAULT_MODEL",
    "SETTINGS",
    "TASK_OPTIONS",
    "ConfigError",
    "HandlerConfig",
    "Setting",
    "Settings",
    "load_settings",
]

DEFAULT_MODEL = "openai:gpt-4o-mini"

# The `[models."SPEC"]` table, and a setting's check: why a value is wrong, or None.
ModelTable = Mapping[str, Mapping[str, Any]]
Check = Callable[[Any, ModelTable], str | None]


def fraction_problem(value: object) -> str | None:
    """Why `value` is not a number in (0, 1], or None."""
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        return "must be a number"
    if not 0 < value <= 1:
        return "must be greater than 0 and at most 1"
    return None


def _positive_number_problem(value: object) -> str | None:
    """Why `value` is not a finite number > 0, or None; an exact number (a huge integer
    or ratio a program computed) is compared as it is, never converted to a float."""
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        return "must be a number"
    if (isinstance(value, float) and not math.isfinite(value)) or not value > 0:
        return "must be a finite number greater than 0"
    return None


EXECUTORS = ("threads", "ray")


def _executor_problem(value: str) -> str | None:
    return None if value in EXECUTORS else "must be threads or ray"


def _model_problem(value: str, models: ModelTable) -> str | None:
    """Why `value` is not a usable model spec; cassettes are resolved by their provider."""
    try:
        spec = ModelSpec.parse(value)
        if spec.provider != "replay":
            resolve_model(spec, models)
    except ConfigError as error:
        return f"is not usable: {error.message}"
    return None


# What the numeric checks allow, without and with the setting's maximum: said beside
# any problem with a value, so an error gives the whole range.
_ALLOWED: dict[Callable[[Any], str | None], tuple[str, str]] = {
    whole_number_problem: ("an integer of at least 1", "an integer from 1 to {:,}"),
    _positive_number_problem: ("a number greater than 0", "a number greater than 0, at most {:,}"),
}


def _alone(check: Callable[[Any], str | None]) -> Check:
    """A check that needs only the value (only the model check reads the `[models]` table)."""

    def alone(value: Any, models: ModelTable) -> str | None:
        return check(value)

    alone.allowed = _ALLOWED.get(check)  # type: ignore[attr-defined]
    return alone


def _any_value(value: Any, models: ModelTable) -> None:
    return None


_KIND_PROBLEM = {int: "must be an integer", float: "must be a number", str: "must be a string"}


@dataclass(frozen=True)
class Setting:
    """One setting, declared once. Configuration files, `TASKSCHEME_<NAME>` variables, the
    command-line options (`flag`), the task options (`#:task_option`) and HandlerConfig
    (`handler_field`) are all derived from these, so they cannot drift apart.

    `check` sees a value already of the right `kind` (a whole number or an exact ratio
    counts as a float, and is checked exactly, before it is converted).
    A number may be at most `maximum` (a sane bound, so that a stray digit is caught
    before it asks for a runaway run or more memory than the machine has). A setting
    whose default is None may be left unset. `vendor_variable` is the vendor SDK's own
    environment variable (OPENAI_API_KEY), the value when no layer sets one.
    """

    name: str
    kind: type
    default: Any
    check: Check = _any_value
    flag: str | None = None
    metavar: str | None = None
    help: str | None = None
    task_option: str | None = None
    handler_field: str | None = None
    secret: bool = False
    maximum: int | None = None
    vendor_variable: str | None = None

    def problem(self, value: Any, models: ModelTable) -> str | None:
        """Why `value` cannot be this setting's value, or None if it can."""
        if value is None:
            return None if self.default is None else _KIND_PROBLEM[self.kind]
        accepted = (int, float, Fraction) if self.kind is float else self.kind
        if isinstance(value, bool) or not isinstance(value, accepted):
            problem: str | None = _KIND_PROBLEM[self.kind]
        else:
            problem = self.check(value, models)
            if problem is None and self.maximum is not None and value > self.maximum:
                problem = f"must be at most {self.maximum}"
        allowed = getattr(self.check, "allowed", None)
        if problem is None or allowed is None:
            return problem
        unbounded, bounded = allowed
        return f"{problem} ({unbounded if self.maximum is None else bounded.format(self.maximum)})"

    def described(self) -> str:
        """The help of its command-line option: what it is, its default and maximum."""
        text = (self.help or "").format(default=self.default)
        return text if self.maximum is None else f"{text} (at most {self.maximum:,})"


SETTINGS: dict[str, Setting] = {
    setting.name: setting
    for setting in (
        Setting(
            "model",
            str,
            DEFAULT_MODEL,
            _model_problem,
            flag="--model",
            metavar="SPEC",
            help="default model: openai:NAME, anthropic:NAME, ollama:NAME, replay:CASSETTE, "
            "script:FILE, test (offline; test:window=N)",
            task_option="model",
            handler_field="default_model",
        ),
        Setting(
            "max_turns",
            int,
            10,
            _alone(whole_number_problem),
            flag="--max-turns",
            metavar="N",
            help="turns per task",
            task_option="max-turns",
            handler_field="max_turns",
            maximum=10_000,
        ),
        Setting(
            "context_fraction",
            float,
            0.5,
            _alone(fraction_problem),
            flag="--context-fraction",
            metavar="F",
            help="fraction of the model's input window a task may fill",
            task_option="context-fraction",
            handler_field="max_context_window_fraction",
        ),
        Setting(
            "warning_threshold",
            float,
            0.8,
            _alone(fraction_problem),
            flag="--warning-threshold",
            metavar="F",
            help="warn at this fraction of a limit (default {default})",
            task_option="warning-threshold",
            handler_field="warning_threshold",
        ),
        Setting(
            "system_prompt",
            str,
            "",
            flag="--system-prompt",
            metavar="TEXT",
            help="default system prompt of tasks",
            task_option="system",
            handler_field="system_prompt",
        ),
        Setting(
            "budget_turns",
            int,
            None,
            _alone(whole_number_problem),
            flag="--budget-turns",
            metavar="N",
            help="turns across the whole run",
            maximum=1_000_000,
        ),
        Setting(
            "budget_tokens",
            int,
            None,
            _alone(whole_number_problem),
            flag="--budget-tokens",
            metavar="N",
            help="context tokens across the whole run",
            maximum=1_000_000_000,
        ),
        Setting(
            "max_output_tokens",
            int,
            None,
            _alone(whole_number_problem),
            flag="--max-output-tokens",
            metavar="N",
            help="output tokens a task may be billed in all; each request asks for at most what is left",
            task_option="max-output-tokens",
            handler_field="max_output_tokens",
            maximum=100_000_000,
        ),
        Setting(
            "max_cost",
            float,
            None,
            _alone(_positive_number_problem),
            flag="--max-cost",
            metavar="DOLLARS",
            help="what a task may cost, in US dollars",
            task_option="max-cost",
            handler_field="max_cost",
            maximum=1_000_000,
        ),
        Setting(
            "budget_billed_tokens",
            int,
            None,
            _alone(whole_number_problem),
            flag="--budget-billed-tokens",
            metavar="N",
            help="billed input and output tokens across the whole run",
            maximum=10_000_000_000,
        ),
        Setting(
            "budget_cost",
            float,
            None,
            _alone(_positive_number_problem),
            flag="--budget-cost",
            metavar="DOLLARS",
            help="what the whole run may cost, in US dollars",
            maximum=1_000_000,
        ),
        Setting(
            "timeout",
            float,
            60.0,
            _alone(_positive_number_problem),
            flag="--timeout",
            metavar="SECONDS",
            help="provider request timeout",
            maximum=86_400,
        ),
        Setting(
            "max_task_depth",
            int,
            8,
            _alone(whole_number_problem),
            flag="--max-task-depth",
            metavar="N",
            help="how deeply tasks may call tasks",
            maximum=100,
        ),
        Setting(
            "max_recursion_depth",
            int,
            200_000,
            _alone(whole_number_problem),
            flag="--max-recursion-depth",
            metavar="N",
            help="nested procedure calls before 'recursion too deep'",
            maximum=1_000_000,
        ),
        Setting(
            "max_allocation",
            int,
            10_000_000,
            _alone(whole_number_problem),
            flag="--max-allocation",
            metavar="N",
            help="most elements (list items, characters, bytes) one call may make",
            maximum=1_000_000_000,
        ),
        Setting(
            "max_memory",
            int,
            None,
            _alone(whole_number_problem),
            flag="--max-memory",
            metavar="BYTES",
            help="most memory (resident bytes) the whole process may use; by default half "
            "of the machine's physical memory",
            maximum=2**50,
        ),
        Setting(
            "max_steps",
            int,
            None,
            _alone(whole_number_problem),
            flag="--max-steps",
            metavar="N",
            help="most steps (procedure calls and loop turns) one run or eval may take; "
            "unlimited by default",
            maximum=10**15,
        ),
        Setting(
            "max_seconds",
            float,
            None,
            _alone(_positive_number_problem),
            flag="--max-seconds",
            metavar="S",
            help="most wall-clock seconds one run or eval may take; unlimited by default",
            maximum=10**9,
        ),
        Setting(
            "max_task_seconds",
            float,
            None,
            _alone(_positive_number_problem),
            flag="--max-task-seconds",
            metavar="S",
            help="most wall-clock seconds one task may take; unlimited by default",
            task_option="max-seconds",
            handler_field="max_seconds",
            maximum=10**9,
        ),
        Setting(
            "workers",
            int,
            8,
            _alone(whole_number_problem),
            flag="--workers",
            metavar="N",
            help="default worker count of parallel-map",
            maximum=256,
        ),
        Setting(
            "executor",
            str,
            "threads",
            _alone(_executor_problem),
            flag="--executor",
            metavar="threads|ray",
            help="what runs the items of parallel-map (default {default})",
        ),
        Setting(
            "ray_address",
            str,
            None,
            flag="--ray-address",
            metavar="ADDRESS",
            help="the Ray cluster of --executor ray (default: a local one, started on demand)",
        ),
        Setting(
            "trace",
            str,
            None,
            flag="--trace",
            metavar="FILE.jsonl",
            help="write every Handler event as one JSON line",
        ),
        Setting(
            "memory_db",
            str,
            None,
            flag="--memory",
            metavar="FILE.db",
            help="long-term memory store (made by taskscheme memory index), read-only",
        ),
        Setting("openai_base_url", str, None, vendor_variable="OPENAI_BASE_URL"),
        Setting("openai_api_key", str, None, secret=True, vendor_variable="OPENAI_API_KEY"),
        Setting("anthropic_base_url", str, None, vendor_variable="ANTHROPIC_BASE_URL"),
        Setting("anthropic_api_key", str, None, secret=True, vendor_variable="ANTHROPIC_API_KEY"),
        Setting("ollama_base_url", str, "http://127.0.0.1:11434/v1"),
    )
}

# Task option keyword (without "#:") -> the setting it overrides for that task.
TASK_OPTIONS: dict[str, Setting] = {
    setting.task_option: setting for setting in SETTINGS.values() if setting.task_option
}
# The settings a HandlerConfig is made of, by settings name.
_HANDLER_SETTINGS: dict[str, Setting] = {
    setting.name: setting for setting in SETTINGS.values() if setting.handler_field
}


@dataclass(frozen=True)
class HandlerConfig:
    """The limits one task execution runs under (seed: HandlerConfig).

    `models` carries the `[models."SPEC"]` table so `default_model` can be a model only
    configuration describes (e.g. an Ollama model).
    """

    max_turns: int
    max_context_window_fraction: float
    warning_threshold: float = SETTINGS["warning_threshold"].default
    default_model: str = SETTINGS["model"].default
    system_prompt: str = SETTINGS["system_prompt"].default
    models: ModelTable = field(default_factory=dict, hash=False)
    max_output_tokens: int | None = None
    max_cost: float | None = None
    max_seconds: float | None = None

    def __post_init__(self) -> None:
        for spec, entry in self.models.items():
            check_model_entry(spec, entry, "HandlerConfig.models")
        for setting in _HANDLER_SETTINGS.values():
            name = setting.handler_field
            value = getattr(self, name)
            problem = setting.problem(value, self.models)
            if problem:
                raise ConfigError(f"HandlerConfig.{name} = {value!r} {problem}")

    def model_info(self) -> ModelInfo:
        """The ModelInfo of `default_model` (a replay spec is resolved by its provider)."""
        return resolve_model(self.default_model, self.models)


DEFAULT = "default"
COMMAND_LINE = "command line"


def _suggest(name: str, choices: list[str]) -> str:
    close = suggest(name, choices)
    return f" (did you mean {close!r}?)" if close else f"; the keys are: {', '.join(choices)}"


def _convert(name: str, raw: Any, layer: str, models: ModelTable, *, from_text: bool) -> Any:
    """`raw` as the type of setting `name`, checked; text is parsed only from env and CLI."""
    setting = SETTINGS[name]
    value = raw
    if from_text and isinstance(raw, str) and setting.kind is not str:
        try:
            value = setting.kind(raw.strip())
        except ValueError:
            pass  # still text, so the check below reports the wrong kind
    elif setting.kind is float and isinstance(raw, int) and not isinstance(raw, bool):
        value = float(raw)
    problem = setting.problem(value, models)
    if problem:
        raise ConfigError(f"{name} = {_show(raw)} from {layer}: {problem}")
    return value


@dataclass(frozen=True)
class Settings:
    """Effective settings, where each came from, and the `[models]` table."""

    values: Mapping[str, Any]
    sources: Mapping[str, str]
    model_overrides: Mapping[str, Mapping[str, Any]]
    model_sources: Mapping[str, str]
    files: tuple[Path, ...] = ()

    def get(self, key: str) -> Any:
        if key not in SETTINGS:
            raise ConfigError(f"unknown setting {key!r}{_suggest(key, list(SETTINGS))}")
        return self.values[key]

    def source(self, key: str) -> str:
        """ "default", a file path, "env TASKSCHEME_X" or "command line"."""
        self.get(key)
        return self.sources[key]

    def with_values(self, source: str, **values: Any) -> Settings:
        """These settings with some values replaced (None means "keep"), from `source`."""
        chosen = {name: value for name, value in values.items() if value is not None}
        for name in chosen:
            self.get(name)
        return replace(
            self,
            values={**self.values, **chosen},
            sources={**self.sources, **dict.fromkeys(chosen, source)},
        )

    def with_checked(self, source: str, values: Mapping[str, Any]) -> Settings:
        """These settings with `values` on top, each checked as a configuration file's
        would be (an unknown name or a wrong value is a ConfigError naming `source`)."""
        for name in values:
            self.get(name)
        checked = {
            name: _convert(name, raw, source, self.model_overrides, from_text=False)
            for name, raw in values.items()
            if raw is not None
        }
        return self.with_values(source, **checked)

    def handler_config(self, **overrides: Any) -> HandlerConfig:
        """The HandlerConfig for one task: these settings, with a task's own options on top.

        Override names are settings names (max_turns, context_fraction, warning_threshold,
        model, system_prompt); None means "not given".
        """
        chosen = {name: self.values[name] for name in _HANDLER_SETTINGS}
        for name, value in overrides.items():
            if name not in _HANDLER_SETTINGS:
                raise ConfigError(
                    f"a task cannot override {name!r}{_suggest(name, list(_HANDLER_SETTINGS))}"
                )
            if value is not None:
                chosen[name] = value
        fields = {_HANDLER_SETTINGS[name].handler_field: value for name, value in chosen.items()}
        return HandlerConfig(**fields, models=self.model_overrides)

    def shown(self, key: str) -> str:
        """The value of `key` as a configuration file spells it, an API key masked."""
        value = self.get(key)
        return _mask(value) if SETTINGS[key].secret and value else _show(value)

    def report(self) -> str:
        """What `taskscheme config` prints: every key, its value and its source."""
        lines = ["configuration files read:"]
        lines += [f"  {path}" for path in self.files] or ["  (none)"]
        width = max(len(name) for name in SETTINGS)
        lines.append("settings (value, then where it came from):")
        for name in SETTINGS:
            lines.append(f"  {name:<{width}}  {self.shown(name):<28}  {self.sources[name]}")
        if self.model_overrides:
            lines.append("models:")
            for spec, entry in self.model_overrides.items():
                fields = ", ".join(f"{k} = {_show(v)}" for k, v in entry.items())
                lines.append(f'  [models."{spec}"] {fields}  ({self.model_sources[spec]})')
        return "\n".join(lines)


_VARIABLE_PREFIX = "TASKSCHEME_"


def _variable(name: str) -> str:
    """The environment variable of setting `name`: TASKSCHEME_MAX_TURNS."""
    return _VARIABLE_PREFIX + name.upper()


def _suggest_variable(variable: str) -> str:
    close = suggest(variable.removeprefix(_VARIABLE_PREFIX).lower(), list(SETTINGS))
    return f" (did you mean {_variable(close)}?)" if close else ""


def _show(value: Any) -> str:
    """A value as a configuration file spells it (TOML: true, "text", inf), or (not set)."""
    if value is None:
        return "(not set)"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _mask(secret: str) -> str:
    return '"****' + (secret[-4:] if len(secret) >= 12 else "") + '"'


def _user_file(environ: Mapping[str, str], home: Path) -> Path:
    base = environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    return Path(base) / "taskscheme" / "config.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # deferred: most runs have no configuration file (start-up time)

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 text") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None


def _project_table(cwd: Path) -> tuple[Path, str, dict[str, Any]] | None:
    """The nearest project settings from `cwd` upward: (file, where, table) or None."""
    for directory in (cwd, *cwd.parents):
        own = directory / "taskscheme.toml"
        if own.is_file():
            return own, str(own), _read_toml(own)
        pyproject = directory / "pyproject.toml"
        # most pyproject files say nothing of taskscheme: parsing them would cost start-up
        if pyproject.is_file() and b"taskscheme" in pyproject.read_bytes():
            table = _read_toml(pyproject).get("tool", {}).get("taskscheme")
            if table is not None:
                if not isinstance(table, dict):
                    raise ConfigError(f"{pyproject}: [tool.taskscheme] must be a table")
                return pyproject, f"{pyproject} [tool.taskscheme]", table
    return None


def load_settings(
    cli: Mapping[str, Any] | None = None,
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> Settings:
    """The effective settings for a run, from every layer (see the module docstring)."""
    environ = os.environ if environ is None else environ
    cwd = (Path.cwd() if cwd is None else cwd).resolve()
    home = Path.home() if home is None else home
    values = {name: setting.default for name, setting in SETTINGS.items()}
    sources = dict.fromkeys(SETTINGS, DEFAULT)
    models: dict[str, dict[str, Any]] = {}
    model_sources: dict[str, str] = {}

    tables: list[tuple[Path, str, dict[str, Any]]] = []
    user_file = _user_file(environ, home)
    if user_file.is_file():
        tables.append((user_file, str(user_file), _read_toml(user_file)))
    project = _project_table(cwd)
    if project is not None:
        tables.append(project)
    # The [models] tables first: a model setting in any layer may name a model described
    # in any file.
    for _, where, table in tables:
        described = table.get("models", {})
        if not isinstance(described, dict):
            raise ConfigError(f'{where}: models must be a table of [models."SPEC"]')
        for spec, entry in described.items():
            check_model_entry(spec, entry, where)
            models[spec] = dict(entry)
            model_sources[spec] = where
    for _, where, table in tables:
        for name, raw in table.items():
            if name in SETTINGS:
                values[name] = _convert(name, raw, where, models, from_text=False)
                sources[name] = where
            elif name != "models":
                raise ConfigError(
                    f"{where}: unknown key {name!r}{_suggest(name, [*SETTINGS, 'models'])}"
                )

    variables = {_variable(name): name for name in SETTINGS}
    for variable, raw in environ.items():
        if variable.startswith(_VARIABLE_PREFIX) and variable not in variables:
            warnings.warn(
                f"unknown environment variable {variable} is ignored{_suggest_variable(variable)}",
                ConfigWarning,
                stacklevel=2,
            )
        if raw != "" and variable in variables:
            name = variables[variable]
            values[name] = _convert(name, raw, f"env {variable}", models, from_text=True)
            sources[name] = f"env {variable}"

    for name, raw in (cli or {}).items():
        if name not in SETTINGS:
            raise ConfigError(f"unknown setting {name!r}{_suggest(name, list(SETTINGS))}")
        if raw is not None:
            values[name] = _convert(name, raw, COMMAND_LINE, models, from_text=True)
            sources[name] = COMMAND_LINE

    for name, setting in SETTINGS.items():
        variable = setting.vendor_variable
        if variable is not None and values[name] is None and environ.get(variable):
            values[name] = environ[variable]  # the vendor SDK's own, when no layer set one
            sources[name] = f"env {variable}"

    files = tuple(path for path, _, _ in tables)
    return Settings(values, sources, models, model_sources, files)
