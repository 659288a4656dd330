"""What `taskscheme check` finds beyond syntax: it watches the analyzer analyze a whole
program without running it, then reports unbound names and calls that cannot work.

The analyzer tells its observer about every reference to a global, every call of a
global by name and every global definition; `Lint` keeps what it needs of those and
judges them once the whole program is analyzed, when every definition is known.
"""

from __future__ import annotations

from typing import Any

from interpreter.errors import ArityError, TaskschemeError, UnboundVariableError
from interpreter.lang.analyze.analyzer import Analyzer, Scope
from interpreter.lang.datums import Symbol, is_pair, procedure_name
from interpreter.lang.expand import strip_aliases
from interpreter.lang.runtime import CaseLambda, Lambda, host_arity_problem
from interpreter.source import Span

LAMBDA = Symbol("lambda")


class Lint:
    """An analyzer observer collecting what `check` judges after analysis."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.references: list[tuple[Symbol, Span | None, Scope | None, str]] = []
        self.calls: list[tuple[Symbol, list, Span | None]] = []
        # the formals of each global defined once as a procedure; None once it is
        # defined again or assigned, when its arity can no longer be known
        self.signatures: dict[Symbol, Any] = {}

    # -- what the analyzer reports ---------------------------------------------------------

    def global_reference(self, name: Symbol, span: Span | None, scope: Scope | None, role: str):
        self.references.append((name, span, scope, role))
        if role == "set":
            self.signatures[name] = None

    def global_call(self, name: Symbol, args: list, span: Span | None) -> None:
        self.calls.append((name, args, span))

    def global_definition(self, name: Symbol, target: Any, items: list, span) -> None:
        formals = None
        if is_pair(target):
            formals = target.cdr
        elif len(items) == 3:
            expanded = self.analyzer.expand_head(items[2][0], None, items[2][1])
            if self.analyzer.is_core(expanded, LAMBDA, None) and is_pair(expanded.cdr):
                formals = expanded.cdr.car
        seen = name in self.signatures or name in self.analyzer.defined_globals
        self.signatures[name] = None if seen or formals is None else (formals, span)

    # -- judgement, once the program is analyzed ---------------------------------------------

    def unbound(self, is_known) -> list[TaskschemeError]:
        """References to globals that `is_known(name, span)` does not know; it returns
        False or raises the unbound-variable error for the name."""
        errors: list[TaskschemeError] = []
        for name, span, scope, role in self.references:
            if name in self.analyzer.defined_globals:
                continue
            try:
                is_known(name, span)
            except UnboundVariableError as error:
                errors.append(self.analyzer.explain_unbound(error, name, scope, role))
            except TaskschemeError as error:
                errors.append(error)
        return errors

    def arity_problems(self) -> list[TaskschemeError]:
        """The calls, by global name, of a procedure defined once in the program, a
        primitive or a library procedure, with arguments it cannot take (their number,
        or an unknown keyword)."""
        problems: list[TaskschemeError] = []
        for name, args, span in self.calls:
            if name in self.signatures:
                problem = self._defined_arity_problem(name, args)
            elif name not in self.analyzer.defined_globals:
                problem = self._builtin_arity_problem(name, args)
            else:
                problem = None
            if problem is not None:
                problems.append(problem.located(span))
        return problems

    def _defined_arity_problem(self, name: Symbol, args: list) -> TaskschemeError | None:
        signature = self.signatures[name]
        if signature is None:
            return None
        try:
            required, optionals, keys, rest = self.analyzer.formals(*signature)
        except TaskschemeError:
            return None
        procedure = Lambda(
            required, optionals, keys, rest, None, None, strip_aliases(name).name, None
        )
        try:
            procedure.check_arguments(args)
        except ArityError as error:
            return error
        return None

    def _builtin_arity_problem(self, name: Symbol, args: list) -> TaskschemeError | None:
        """A call of a primitive or a standard library procedure that cannot work."""
        analyzer = self.analyzer
        if name in analyzer.globals:
            value = analyzer.globals[name]
        elif analyzer.on_global_miss(name, None, probe=True):
            try:
                value = analyzer.on_global_miss(name, None)
            except TaskschemeError:
                return None
        else:
            return None
        try:
            if type(value) is CaseLambda:
                value.select(len(args))
            elif type(value) is Lambda:
                value.check_arguments(args)
            elif callable(value):
                problem = host_arity_problem(value, len(args))
                if problem is not None:
                    return ArityError(f"{procedure_name(value)}: {problem}")
        except ArityError as error:
            return error
        return None
