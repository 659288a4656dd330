"""Configuration: the per-task HandlerConfig and the layered settings it is built from.

Settings come from five layers, lowest to highest: built-in defaults, the user file
(`$XDG_CONFIG_HOME/taskscheme/config.toml`, else `~/.config/taskscheme/config.toml`), the
project file (`taskscheme.toml`, else `[tool.taskscheme]` in `pyproject.toml`, the nearest
one from the working directory upward), `TASKSCHEME_<KEY>` environment variables, and
command-line values. Every value is type-checked where it enters, and an error names the
key, the value and the layer, so a typo in a file is never silently ignored. Each value
remembers where it came from (`Settings.source`) for `taskscheme config`.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interpreter.limits.models import (
    REPLAY_PREFIX,
    ConfigError,
    ModelInfo,
    check_model_entry,
    resolve_model,
    whole_number_problem,
)

__all__ = ["DEFAULT_MODEL", "KEYS", "ConfigError", "HandlerConfig", "Settings", "load_settings"]

DEFAULT_MODEL = "openai:gpt-4o-mini"


def fraction_problem(value: object) -> str | None:
    """Why `value` is not a number in (0, 1], or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number"
    if not 0 < value <= 1:
        return "must be greater than 0 and at most 1"
    return None


def _positive_number_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number"
    if not (math.isfinite(value) and value > 0):
        return "must be a finite number greater than 0"
    return None


def _string_problem(value: object) -> str | None:
    return None if isinstance(value, str) else "must be a string"


def _model_problem(value: object, models: Mapping[str, Mapping[str, Any]]) -> str | None:
    """Why `value` is not a usable model spec; cassettes are resolved by their provider."""
    if not isinstance(value, str):
        return "must be a string"
    if value.startswith(REPLAY_PREFIX):
        return None if len(value) > len(REPLAY_PREFIX) else "needs a cassette path"
    try:
        resolve_model(value, models)
    except ConfigError as error:
        return f"is not usable: {error.message}"
    return None


@dataclass(frozen=True)
class HandlerConfig:
    """The limits one task execution runs under (seed: HandlerConfig).

    `models` carries the `[models."SPEC"]` table so `default_model` can be a model only
    configuration describes (e.g. an Ollama model).
    """

    max_turns: int
    max_context_window_fraction: float
    warning_threshold: float = 0.8
    default_model: str = DEFAULT_MODEL
    system_prompt: str = ""
    models: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        checks: dict[str, Callable[[Any], str | None]] = {
            "max_turns": whole_number_problem,
            "max_context_window_fraction": fraction_problem,
            "warning_threshold": fraction_problem,
            "system_prompt": _string_problem,
            "default_model": lambda value: _model_problem(value, self.models),
        }
        for spec, entry in self.models.items():
            check_model_entry(spec, entry, "HandlerConfig.models")
        for name, check in checks.items():
            value = getattr(self, name)
            problem = check(value)
            if problem:
                raise ConfigError(f"HandlerConfig.{name} = {value!r} {problem}")

    def model_info(self) -> ModelInfo:
        """The ModelInfo of `default_model` (a replay spec is resolved by its provider)."""
        return resolve_model(self.default_model, self.models)


@dataclass(frozen=True)
class Key:
    """One setting: its default, how to check a value, and whether to mask it in reports."""

    default: Any
    kind: type
    check: Callable[[Any], str | None] = lambda value: None
    secret: bool = False


def _optional(check: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    return lambda value: None if value is None else check(value)


KEYS: dict[str, Key] = {
    "model": Key(DEFAULT_MODEL, str),
    "max_turns": Key(10, int, whole_number_problem),
    "context_fraction": Key(0.5, float, fraction_problem),
    "warning_threshold": Key(0.8, float, fraction_problem),
    "system_prompt": Key("", str),
    "budget_turns": Key(None, int, _optional(whole_number_problem)),
    "budget_tokens": Key(None, int, _optional(whole_number_problem)),
    "timeout": Key(60.0, float, _positive_number_problem),
    "max_task_depth": Key(8, int, whole_number_problem),
    "max_recursion_depth": Key(200_000, int, whole_number_problem),
    "workers": Key(8, int, whole_number_problem),
    "openai_base_url": Key(None, str),
    "openai_api_key": Key(None, str, secret=True),
    "anthropic_base_url": Key(None, str),
    "anthropic_api_key": Key(None, str, secret=True),
    "ollama_base_url": Key("http://127.0.0.1:11434/v1", str),
}

# Settings names of the HandlerConfig fields a task may override.
_HANDLER_FIELDS = {
    "max_turns": "max_turns",
    "context_fraction": "max_context_window_fraction",
    "warning_threshold": "warning_threshold",
    "model": "default_model",
    "system_prompt": "system_prompt",
}

DEFAULT = "default"
COMMAND_LINE = "command line"


def _suggest(name: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else f"; the keys are: {', '.join(choices)}"


_KIND_PROBLEM = {int: "must be an integer", float: "must be a number", str: "must be a string"}


def _convert(name: str, raw: Any, layer: str, *, from_text: bool) -> Any:
    """`raw` as the type of setting `name`, checked; text is parsed only from env and CLI."""
    key = KEYS[name]
    value = raw
    problem = None
    if from_text and isinstance(raw, str) and key.kind is not str:
        try:
            value = key.kind(raw.strip())
        except ValueError:
            problem = _KIND_PROBLEM[key.kind]
    elif key.kind is float and isinstance(raw, int) and not isinstance(raw, bool):
        value = float(raw)
    if problem is None and value is not None:
        type_ok = isinstance(value, key.kind) and not isinstance(value, bool)
        problem = key.check(value) if type_ok else _KIND_PROBLEM[key.kind]
    if problem:
        raise ConfigError(f"{name} = {raw!r} from {layer}: {problem}")
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
        if key not in KEYS:
            raise ConfigError(f"unknown setting {key!r}{_suggest(key, list(KEYS))}")
        return self.values[key]

    def source(self, key: str) -> str:
        """ "default", a file path, "env TASKSCHEME_X" or "command line"."""
        self.get(key)
        return self.sources[key]

    def with_values(self, source: str, **values: Any) -> Settings:
        """These settings with some values replaced (None means "keep"), from `source`."""
        from dataclasses import replace

        chosen = {name: value for name, value in values.items() if value is not None}
        for name in chosen:
            self.get(name)
        return replace(
            self,
            values={**self.values, **chosen},
            sources={**self.sources, **dict.fromkeys(chosen, source)},
        )

    def handler_config(self, **overrides: Any) -> HandlerConfig:
        """The HandlerConfig for one task: these settings, with a task's own options on top.

        Override names are settings names (max_turns, context_fraction, warning_threshold,
        model, system_prompt); None means "not given".
        """
        chosen = {name: self.values[name] for name in _HANDLER_FIELDS}
        for name, value in overrides.items():
            if name not in _HANDLER_FIELDS:
                raise ConfigError(
                    f"a task cannot override {name!r}{_suggest(name, list(_HANDLER_FIELDS))}"
                )
            if value is not None:
                chosen[name] = value
        fields = {_HANDLER_FIELDS[name]: value for name, value in chosen.items()}
        return HandlerConfig(**fields, models=self.model_overrides)

    def report(self) -> str:
        """What `taskscheme config` prints: every key, its value and its source."""
        lines = ["configuration files read:"]
        lines += [f"  {path}" for path in self.files] or ["  (none)"]
        width = max(len(name) for name in KEYS)
        lines.append("settings (value, then where it came from):")
        for name, key in KEYS.items():
            value = self.values[name]
            shown = _mask(value) if key.secret and value else _show(value)
            lines.append(f"  {name:<{width}}  {shown:<28}  {self.sources[name]}")
        if self.model_overrides:
            lines.append("models:")
            for spec, entry in self.model_overrides.items():
                fields = ", ".join(f"{k} = {_show(v)}" for k, v in entry.items())
                lines.append(f'  [models."{spec}"] {fields}  ({self.model_sources[spec]})')
        return "\n".join(lines)


def _show(value: Any) -> str:
    return "(not set)" if value is None else json.dumps(value)


def _mask(secret: str) -> str:
    return '"****' + (secret[-4:] if len(secret) >= 12 else "") + '"'


def _user_file(environ: Mapping[str, str], home: Path) -> Path:
    base = environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    return Path(base) / "taskscheme" / "config.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None


def _project_table(cwd: Path) -> tuple[Path, str, dict[str, Any]] | None:
    """The nearest project settings from `cwd` upward: (file, where, table) or None."""
    for directory in (cwd, *cwd.parents):
        own = directory / "taskscheme.toml"
        if own.is_file():
            return own, str(own), _read_toml(own)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
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
    values = {name: key.default for name, key in KEYS.items()}
    sources = dict.fromkeys(KEYS, DEFAULT)
    models: dict[str, dict[str, Any]] = {}
    model_sources: dict[str, str] = {}

    tables: list[tuple[Path, str, dict[str, Any]]] = []
    user_file = _user_file(environ, home)
    if user_file.is_file():
        tables.append((user_file, str(user_file), _read_toml(user_file)))
    project = _project_table(cwd)
    if project is not None:
        tables.append(project)
    for _, where, table in tables:
        for name, raw in table.items():
            if name == "models":
                if not isinstance(raw, dict):
                    raise ConfigError(f'{where}: models must be a table of [models."SPEC"]')
                for spec, entry in raw.items():
                    check_model_entry(spec, entry, where)
                    models[spec] = dict(entry)
                    model_sources[spec] = where
            elif name in KEYS:
                values[name] = _convert(name, raw, where, from_text=False)
                sources[name] = where
            else:
                raise ConfigError(
                    f"{where}: unknown key {name!r}{_suggest(name, [*KEYS, 'models'])}"
                )

    for name in KEYS:
        variable = f"TASKSCHEME_{name.upper()}"
        raw = environ.get(variable, "")
        if raw != "":
            values[name] = _convert(name, raw, f"env {variable}", from_text=True)
            sources[name] = f"env {variable}"

    for name, raw in (cli or {}).items():
        if name not in KEYS:
            raise ConfigError(f"unknown setting {name!r}{_suggest(name, list(KEYS))}")
        if raw is not None:
            values[name] = _convert(name, raw, COMMAND_LINE, from_text=True)
            sources[name] = COMMAND_LINE

    problem = _model_problem(values["model"], models)
    if problem:
        raise ConfigError(f"model = {values['model']!r} from {sources['model']}: {problem}")
    files = tuple(path for path, _, _ in tables)
    return Settings(values, sources, models, model_sources, files)
