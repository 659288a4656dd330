"""What of the host a program may reach: files to read, files to write, environment
variables, other models, executors that start processes.

An embedded program reaches nothing of the host that was not handed to it. Every
procedure that names a file (`load`, the file procedures, a task's `replay:` or `script:`
model) goes through one check here, on the file name's text as the procedure will use it
(a string the program made at run time is the same text as a literal): the path is
resolved (symlinks followed, `..` applied) before it is compared with the granted
directories, so neither a link nor `..` leads out of them. The files the run itself
writes or reads as it goes (its memory store and SQLite's side files, its trace file, the
cassette it records) are protected: the program may not write or delete them whatever
the grants. The command line grants the program's own directory tree for reading, the
working directory for writing, and every variable, model and executor
(`taskscheme run --sandbox` grants nothing).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any

from interpreter.errors import CapabilityError
from interpreter.lang.datums import Pair, Symbol, python_to_list
from interpreter.lang.primitives.common import check_string
from interpreter.lang.primitives.files import file_name
from interpreter.lang.printer import write_abbreviated
from interpreter.limits.models import ModelSpec

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


# The executor that runs in the program's own process, which every program may use.
THREADS = "threads"


# A refused name longer than this (or holding a null character) is shown cut short.
_SHOWN_NAME = 1024


@dataclass(frozen=True, init=False)
class Capabilities:
    """What a program may reach: `read`, directories (or files) it may read below;
    `write`, ones it may write, create and delete files below (and read); `env`, the
    environment variables it may read; `models`, the models a task may name with
    `#:model` besides the run's own (each reached with the host's keys); `executors`,
    the `parallel-map` executors besides threads and the run's own it may choose
    (`ray` starts processes). True grants every variable, model or executor. Nothing by
    default. `protected` maps files the program may never write or delete, whatever
    the grants, to what they are (an Interpreter adds the files of its run)."""

    read: tuple[Path, ...]
    write: tuple[Path, ...]
    env: frozenset[str] | bool
    models: frozenset[str] | bool
    executors: frozenset[str] | bool
    protected: tuple[tuple[Path, str], ...]

    def __init__(
        self,
        read: Iterable[str | os.PathLike] = (),
        write: Iterable[str | os.PathLike] = (),
        env: Iterable[str] | bool = (),
        models: Iterable[str] | bool = (),
        executors: Iterable[str] | bool = (),
        protected: Mapping[str | os.PathLike, str] | None = None,
    ) -> None:
        object.__setattr__(self, "read", tuple(_resolved(path) for path in _paths(read)))
        object.__setattr__(self, "write", tuple(_resolved(path) for path in _paths(write)))
        object.__setattr__(self, "env", _names(env))
        object.__setattr__(self, "models", _names(models))
        object.__setattr__(self, "executors", _names(executors))
        object.__setattr__(
            self,
            "protected",
            tuple((_resolved(path), what) for path, what in (protected or {}).items()),
        )

    @classmethod
    def for_program(cls, directory: str | os.PathLike | None) -> Capabilities:
        """What the command line grants: the program's directory tree (the working
        directory for a program read from standard input) for reading, the working
        directory for writing, every environment variable, model and executor."""
        return cls(
            read=[directory or os.getcwd()],
            write=[os.getcwd()],
            env=True,
            models=True,
            executors=True,
        )

    def protecting(self, files: Mapping[str | os.PathLike, str]) -> Capabilities:
        """These capabilities with `files` (path -> what it is) protected as well."""
        more = copy.copy(self)
        object.__setattr__(
            more,
            "protected",
            (*self.protected, *((_resolved(path), what) for path, what in files.items())),
        )
        return more

    def check_file(self, proc: str, access: str, path: Any) -> str:
        """The file name `path` (a string argument of `proc`, mutable or not) as text,
        once the program may `access` ("read" or "write") it. The grant is checked first,
        on the name as the system would read it (up to a null character), so a name
        outside the grants is a capability-error whatever else is wrong with it; a name
        within them that cannot name a file is a file-error."""
        text = check_string(proc, path, 1)
        target = _resolved(text.partition("\0")[0])
        plain = len(text) <= _SHOWN_NAME and "\0" not in text
        shown = text if plain else write_abbreviated(text)
        seen_as = f" (it is {target})" if plain and str(target) != text else ""
        if access == "write":
            what = self._protection(target)
            if what is not None:
                raise CapabilityError(
                    f"{proc}: the program may not write {shown}{seen_as}: it is {what}, "
                    "which no program may change",
                    capability=access,
                    target=str(target),
                )
        granted = self.write if access == "write" else (*self.read, *self.write)
        if not any(target == root or root in target.parents for root in granted):
            raise CapabilityError(
                f"{proc}: the program may not {access} {shown}{seen_as}: "
                f"{_granted(access, granted)}",
                capability=access,
                target=str(target),
            )
        return file_name(proc, text)

    def _protection(self, target: Path) -> str | None:
        """What `target` is if it is a protected file: the same resolved path, or the
        same file under another name (a hard link, a bind mount)."""
        try:
            found = os.stat(target)
        except OSError:
            found = None
        for path, what in self.protected:
            if path == target:
                return what
            if found is not None:
                try:
                    if os.path.samestat(found, os.stat(path)):
                        return what
                except OSError:
                    pass
        return None

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
        """A capability-error unless a task may name the model `spec`; a model read
        from a file (a cassette, a script) also needs that file's read capability."""
        granted = _refusal(self.models, spec)
        if granted is not None:
            raise CapabilityError(
                f"{task}: the program may not use the model {spec}: it may use only the "
                f"model it was given (other models granted: {granted})",
                capability="model",
                target=spec,
            )
        path = ModelSpec.parse(spec).file
        if path is not None:
            self.check_file(task, "read", path)

    def check_executor(self, proc: str, name: str) -> None:
        """A capability-error unless the program may run `proc`'s items on the executor
        `name` (threads always)."""
        granted = _refusal(self.executors, name)
        if name != THREADS and granted is not None:
            raise CapabilityError(
                f"{proc}: the program may not use the {name} executor, which starts "
                f"processes: it may use threads (other executors granted: {granted})",
                capability="executor",
                target=name,
            )

    def guard(self, name: Symbol, procedure: Callable[..., Any]) -> Callable[..., Any]:
        """`procedure` (a file procedure of FILE_PROCEDURES) checking its path first."""
        access = FILE_PROCEDURES[name.name]

        @wraps(procedure)
        def checked(path: Any, *rest: Any) -> Any:
            # the procedure opens the very text checked: a mutable string the program
            # changes meanwhile (from another thread) changes nothing
            return procedure(self.check_file(name.name, access, path), *rest)

        return checked


def _paths(paths: Iterable[str | os.PathLike]) -> list[str | os.PathLike]:
    if isinstance(paths, str | os.PathLike):
        return [paths]
    return list(paths)


def _names(grant: Iterable[str] | bool) -> frozenset[str] | bool:
    return grant if isinstance(grant, bool) else frozenset(grant)


def _resolved(path: str | os.PathLike) -> Path:
    """`path` absolute, with every symlink followed and `..` applied, in the order the
    system does: `..` after a link leads to the parent of the link's target."""
    return Path(os.path.realpath(path))


def _granted(access: str, granted: tuple[Path, ...]) -> str:
    if not granted:
        return f"it was given no {access} capability"
    roots = dict.fromkeys(str(root) for root in granted)  # once each, in order
    return f"it may {access} only below {', '.join(roots)}"


def _refusal(grant: frozenset[str] | bool, name: str) -> str | None:
    """None if `grant` covers `name`; else what it does grant, for the error."""
    if grant is True or name in grant:
        return None
    return ", ".join(sorted(grant)) if grant else "none"
