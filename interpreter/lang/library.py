"""The standard library: Scheme code in stdlib/*.scm, loaded a file at a time on the
first use of a name it defines.

It lives in an environment of its own, so start-up reads no library code and a program
that redefines `map` cannot change what `filter` does. Its spans are marked as the
library's, so errors inside it are shown at the program's call into it.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from interpreter.errors import UsageError
from interpreter.lang.analyze import LANGUAGE_FORMS, Analyzer
from interpreter.lang.datums import Environment, Symbol
from interpreter.lang.reader import read_all
from interpreter.lang.runtime import lookup_failure
from interpreter.source import Span

_DEFINITION = re.compile(r"^\((?:define|define-syntax)\s+\(*([^\s()]+)", re.M)


def stdlib_directory() -> Path:
    """stdlib/ beside the package in a checkout, or inside it when installed."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "stdlib", here / "stdlib"):
        if candidate.is_dir():
            return candidate
    raise UsageError(
        f"the standard library is missing (looked in {here.parent / 'stdlib'} and {here / 'stdlib'})"
    )


class Library:
    """The standard library's own environment, filled file by file on first use."""

    def __init__(self, primitives: dict[Symbol, Any]) -> None:
        self.directory = stdlib_directory()
        self.index: dict[Symbol, Path] = {}
        for path in sorted(self.directory.glob("*.scm")):
            for name in _DEFINITION.findall(path.read_text(encoding="utf-8")):
                self.index.setdefault(Symbol(name), path)
        self.environment = Environment.make(dict(primitives))
        self.analyzer = Analyzer(self.environment, self._miss, LANGUAGE_FORMS)
        self.loaded: set[Path] = set()
        self.lock = threading.RLock()

    def provides(self, name: Symbol) -> bool:
        return name in self.index

    def value(self, name: Symbol) -> Any:
        with self.lock:
            path = self.index[name]
            if path not in self.loaded:
                self.loaded.add(path)
                for form, span in _library_forms(path):
                    self.analyzer.analyze_toplevel(form, span)(self.environment)
        return self.environment.bindings[name]

    def _miss(self, name: Symbol, span: Span | None, probe: bool = False) -> Any:
        if probe:
            return name in self.index
        if name in self.index:
            return self.value(name)
        raise lookup_failure(name, [s.name for s in self.environment.bindings], span)


def read_forms(text: str, file: str, library: bool = False):
    data = read_all(text, file, library)
    return zip(data, data.spans, strict=True)


# stdlib file -> (its mtime, its forms): read once per process, not once per Interpreter
# (reading is most of the cost of loading; the data are shared, quoted literals are
# immutable, and each Interpreter still analyzes them against its own environment)
_LIBRARY_FORMS: dict[Path, tuple[int, list]] = {}


def _library_forms(path: Path) -> list:
    stamp = path.stat().st_mtime_ns
    cached = _LIBRARY_FORMS.get(path)
    if cached is None or cached[0] != stamp:
        cached = _LIBRARY_FORMS[path] = (
            stamp,
            list(read_forms(path.read_text(encoding="utf-8"), str(path), library=True)),
        )
    return cached[1]
