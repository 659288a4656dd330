"""How forms and procedures enter the language: each layer declares its own.

The core's special forms, the derived forms of the expander and the task language's
forms are all entries of a `FormRegistry`; the analyzer dispatches through the
registries it is given and keeps no list of names of its own. A form declares its name
and its usage next to the code that analyzes or rewrites it, so a misuse is reported
in the form's own words. Procedures a layer provides are named up front and made on
first use (`LazyProcedures`), so a program that never calls them never loads that layer.
A layer may also tell `taskscheme check` what mistakes to look for in calls of its
procedures (`CallCheck`), so the checker knows no layer's names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from interpreter.errors import SchemeSyntaxError, TaskschemeError
from interpreter.lang.datums import Symbol
from interpreter.source import Span

# (analyzer, form, scope, tail, span) -> node; see lang/analyze
Analyze = Callable[..., Any]
# (form, span) -> the form it stands for; a rewrite registered with `keywords=True`
# also takes `means(datum, keyword) -> bool`, which says whether `datum` where the form
# is used is the auxiliary keyword `keyword` (`else`, `=>`) and not a variable
Rewrite = Callable[..., Any]
# the arguments of a call as written, each with its span
Arguments = list[tuple[Any, Span | None]]
# (a call's arguments, the call's span) -> the mistakes in the call
CheckCall = Callable[[Arguments, Span | None], list[TaskschemeError]]
# (a call's arguments) -> the check of the calls of the procedure that call makes, or
# None when that cannot be told without running it
CheckMade = Callable[[Arguments], CheckCall | None]


@dataclass(frozen=True, slots=True)
class SpecialForm:
    """A form the analyzer turns into a node itself: `analyze(analyzer, form, scope, tail,
    span)`."""

    name: str
    usage: str
    analyze: Analyze

    def bad(self, span: Span | None, problem: str | None = None) -> SchemeSyntaxError:
        """The syntax error for a use that does not fit the form's shape."""
        detail = problem or f"expected {self.usage}"
        return SchemeSyntaxError(f"bad {self.name}: {detail}", span)


@dataclass(frozen=True, slots=True)
class DerivedForm:
    """A form rewritten into other forms before analysis: `rewrite(form, span)`, or
    `rewrite(form, span, means)` if it compares auxiliary keywords (`keywords`)."""

    name: str
    rewrite: Rewrite
    keywords: bool = False


@dataclass(frozen=True, slots=True)
class CallCheck:
    """What `check` finds, without running anything, in the calls of one procedure of a
    layer: `problems` judges a call; `makes`, for a procedure that makes procedures,
    gives the check of the calls of the one it makes (and a global defined once as such
    a call is checked by it)."""

    problems: CheckCall
    makes: CheckMade | None = None


class FormRegistry:
    """The forms one layer adds to the language, registered by decorators, and the
    checks of calls of its procedures."""

    def __init__(self, layer: str) -> None:
        self.layer = layer
        self.special: dict[Symbol, SpecialForm] = {}
        self.derived: dict[Symbol, DerivedForm] = {}
        self.call_checks: dict[Symbol, CallCheck] = {}

    def special_form(self, name: str | Symbol, usage: str) -> Callable[[Analyze], Analyze]:
        """Register the decorated function as the analysis of the special form `name`."""

        def register(analyze: Analyze) -> Analyze:
            symbol = name if isinstance(name, Symbol) else Symbol(name)
            self._claim(symbol)
            self.special[symbol] = SpecialForm(symbol.name, usage, analyze)
            return analyze

        return register

    def derived_form(self, name: str, keywords: bool = False) -> Callable[[Rewrite], Rewrite]:
        """Register the decorated function as the rewriting of the derived form `name`;
        `keywords`: it takes the `means` test for auxiliary keywords (see Rewrite)."""

        def register(rewrite: Rewrite) -> Rewrite:
            symbol = Symbol(name)
            self._claim(symbol)
            self.derived[symbol] = DerivedForm(name, rewrite, keywords)
            return rewrite

        return register

    def call_check(
        self, name: str, makes: CheckMade | None = None
    ) -> Callable[[CheckCall], CheckCall]:
        """Register the decorated function as what `check` finds in calls of the
        procedure `name` (see CallCheck)."""

        def register(problems: CheckCall) -> CheckCall:
            symbol = Symbol(name)
            if symbol in self.call_checks:
                raise ValueError(f"{self.layer} registers a check of {name} twice")
            self.call_checks[symbol] = CallCheck(problems, makes)
            return problems

        return register

    def _claim(self, symbol: Symbol) -> None:
        if symbol in self.special or symbol in self.derived:
            raise ValueError(f"{self.layer} registers the form {symbol.name} twice")


class LazyProcedures:
    """Procedures a layer provides under known names, made on the first use of any."""

    def __init__(self, names: Iterable[str], make: Callable[[], Mapping[str, Any]]) -> None:
        self.names = frozenset(Symbol(name) for name in names)
        self._make = make

    def make(self) -> Mapping[str, Any]:
        return self._make()


def merged(registries: Iterable[FormRegistry]) -> tuple[dict, dict, dict]:
    """The special forms, derived forms and call checks of `registries`; a name claimed
    twice is a bug."""
    special: dict[Symbol, SpecialForm] = {}
    derived: dict[Symbol, DerivedForm] = {}
    checks: dict[Symbol, CallCheck] = {}
    for registry in registries:
        for symbol, check in registry.call_checks.items():
            if symbol in checks:
                raise ValueError(f"{registry.layer} registers a check of {symbol.name} again")
            checks[symbol] = check
        for table, entries in ((special, registry.special), (derived, registry.derived)):
            for symbol, entry in entries.items():
                if symbol in special or symbol in derived:
                    raise ValueError(f"{registry.layer} registers the form {symbol.name} again")
                table[symbol] = entry
    return special, derived, checks
