"""What of the host a program may reach: files to read, files to write, environment
variables.

An embedded program reaches nothing of the host that was not handed to it. Every
procedure that touches files or the environment goes through one check here: a path is
resolved (symlinks followed, `..` applied) before it is compared with the granted
directories, so neither a link nor `..` leads out of them. The command line grants the
program's own directory tree for reading and the working directory for writing
(`taskscheme run --sandbox` grants nothing).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any

from interpreter.errors import CapabilityError, SchemeError
from interpreter.lang.datums import Pair, Symbol, python_to_list
from interpreter.lang.primitives.common import check_string
from interpreter.lang.printer import write_string

# The procedures that name a file as their first argument, and the access each needs.
FILE_PROCEDURES = {
    "open-input-file": "read",
    "open-binary-input-file": "read",
    "call-with-input-file": "read",
    "with-input-from-file": "read",
    "file->string": "read",
    "file->lines": "read",
    "file-exists?": "read",
    "open-output-file": "write",
    "open-binary-output-file": "write",
    "call-with-output-file": "write",
    "with-output-to-file": "write",
    "delete-file": "write",
}


@dataclass(frozen=True, init=False)
class Capabilities:
    """What a program may reach: `read`, directories (or files) it may read below;
    `write`, ones it may write, create and delete files below (and read); `env`, the
    environment variables it may read; `models`, the models a task may name with
    `#:model` besides the run's own (each reached with the host's keys). True grants
    every variable or model. Nothing by default."""

    read: tuple[Path, ...]
    write: tuple[Path, ...]
    env: frozenset[str] | bool
    models: frozenset[str] | bool

    def __init__(
        self,
        read: Iterable[str | os.PathLike] = (),
        write: Iterable[str | os.PathLike] = (),
        env: Iterable[str] | bool = (),
        models: Iterable[str] | bool = (),
    ) -> None:
        object.__setattr__(self, "read", tuple(_resolved(path) for path in _paths(read)))
        object.__setattr__(self, "write", tuple(_resolved(path) for path in _paths(write)))
        object.__setattr__(self, "env", env if isinstance(env, bool) else frozenset(env))
        object.__setattr__(
            self, "models", models if isinstance(models, bool) else frozenset(models)
        )

    @classmethod
    def for_program(cls, directory: str | os.PathLike | None) -> Capabilities:
        """What the command line grants: the program's directory tree (the working
        directory for a program read from standard input) for reading, the working
        directory for writing, every environment variable and model."""
        return cls(read=[directory or os.getcwd()], write=[os.getcwd()], env=True, models=True)

    def check_file(self, proc: str, access: str, path: str) -> None:
        """A capability-error unless the program may `access` ("read" or "write") `path`;
        a file-error if `path` cannot name a file."""
        if "\0" in path:
            error = SchemeError(
                f"{proc}: {write_string(path)} is not a file name: it contains a null character"
            )
            error.kind = "file-error"
            raise error
        target = _resolved(path)
        granted = self.write if access == "write" else (*self.read, *self.write)
        if not any(target == root or root in target.parents for root in granted):
            raise CapabilityError(
                f"{proc}: the program may not {access} {path}"
                + (f" (it is {target})" if str(target) != path else "")
                + f": {_granted(access, granted)}",
                capability=access,
                target=str(target),
            )

    def environment_variable(self, name: Any) -> Any:
        """`(get-environment-variable name)`: its value, #f when unset; a
        capability-error for a variable not granted."""
        name = check_string("get-environment-variable", name, 1)
        granted = _refusal(self.env, name)
        if granted is not None:
            raise CapabilityError(
                f"get-environment-variable: the program may not read the environment "
                f"variable {name} (granted: {granted})",
                capability="env",
                target=name,
            )
        return os.environ.get(name, False)

    def environment_variables(self) -> Any:
        """`(get-environment-variables)`: the granted variables that are set, as an alist."""
        return python_to_list(
            [Pair(k, v) for k, v in os.environ.items() if self.env is True or k in self.env]
        )

    def check_model(self, task: str, spec: str) -> None:
        """A capability-error unless a task may name the model `spec`."""
        granted = _refusal(self.models, spec)
        if granted is not None:
            raise CapabilityError(
                f"{task}: the program may not use the model {spec}: it may use only the "
                f"model it was given (other models granted: {granted})",
                capability="model",
                target=spec,
            )

    def guard(self, name: Symbol, procedure: Callable[..., Any]) -> Callable[..., Any]:
        """`procedure` (a file procedure of FILE_PROCEDURES) checking its path first."""
        access = FILE_PROCEDURES[name.name]

        @wraps(procedure)
        def checked(path: Any, *rest: Any) -> Any:
            if isinstance(path, str):
                self.check_file(name.name, access, path)
            return procedure(path, *rest)

        return checked


def _paths(paths: Iterable[str | os.PathLike]) -> list[str | os.PathLike]:
    if isinstance(paths, str | os.PathLike):
        return [paths]
    return list(paths)


def _resolved(path: str | os.PathLike) -> Path:
    """`path` absolute, with every symlink followed and `..` applied."""
    return Path(os.path.realpath(os.path.abspath(path)))


def _granted(access: str, granted: tuple[Path, ...]) -> str:
    if not granted:
        return f"it was given no {access} capability"
    return f"it may {access} only below {', '.join(str(root) for root in granted)}"


def _refusal(grant: frozenset[str] | bool, name: str) -> str | None:
    """None if `grant` covers `name`; else what it does grant, for the error."""
    if grant is True or name in grant:
        return None
    return ", ".join(sorted(grant)) if grant else "none"
