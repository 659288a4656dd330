"""What `taskscheme check` finds beyond syntax: it watches the analyzer analyze a whole
program without running it, then reports unbound names and calls that cannot work.

The analyzer tells its observer about every reference to a global, every call of a
global by name and every global definition; `Lint` keeps what it needs of those and
judges them once the whole program is analyzed, when every definition is known. Calls
of a layer's procedures are also judged by that layer's own checks (registry.CallCheck).
"""

from __future__ import annotations

from typing import Any

from interpreter.errors import ArityError, TaskschemeError, UnboundVariableError
from interpreter.lang.analyze.analyzer import Analyzer, Scope
from interpreter.lang.datums import Symbol, is_pair, procedure_name
from interpreter.lang.expand import cells, strip_aliases
from interpreter.lang.registry import Arguments, CheckCall
from interpreter.lang.runtime import CaseLambda, Lambda, host_arity_problem
from interpreter.source import Span

LAMBDA = Symbol("lambda")


class Lint:
    """An analyzer observer collecting what `check` judges after analysis."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.references: list[tuple[Symbol, Span | None, Scope | None, str]] = []
        self.calls: list[tuple[Symbol, Arguments, Span | None]] = []
        # how to check the calls of each global defined once as a procedure (a lambda,
        # or what a call of a layer's procedure makes); None once it is defined again or
        # assigned, or is not a procedure whose arguments can be known
        self.signatures: dict[Symbol, CheckCall | None] = {}

    # -- what the analyzer reports ---------------------------------------------------------

    def global_reference(self, name: Symbol, span: Span | None, scope: Scope | None, role: str):
        self.references.append((name, span, scope, role))
        if role == "set":
            self.signatures[name] = None

    def global_call(self, name: Symbol, args: Arguments, span: Span | None) -> None:
        self.calls.append((name, args, span))

    def global_definition(self, name: Symbol, target: Any, items: list, span) -> None:
        check = None
        if is_pair(target):
            check = self._lambda_check(name, target.cdr, span)
        elif len(items) == 3:
            check = self._value_check(name, items[2], span)
        seen = name in self.signatures or name in self.analyzer.defined_globals
        self.signatures[name] = None if seen else check

    def _value_check(self, name: Symbol, value: tuple[Any, Span | None], span) -> CheckCall | None:
        """The check of calls of `name` defined as `value`: a lambda, or a call of a
        layer's procedure that makes procedures."""
        expanded = self.analyzer.expand_head(value[0], None, value[1])
        if self.analyzer.is_core(expanded, LAMBDA, None) and is_pair(expanded.cdr):
            return self._lambda_check(name, expanded.cdr.car, span)
        if not (is_pair(expanded) and isinstance(expanded.car, Symbol)):
            return None
        maker = expanded.car
        layer = self.analyzer.call_checks.get(maker)
        if layer is None or layer.makes is None:
            return None
        made = layer.makes(cells(expanded.cdr, value[1], "procedure call"))

        def check_made(args: Arguments, call_span: Span | None) -> list[TaskschemeError]:
            if made is None or maker in self.analyzer.defined_globals:
                return []
            return made(args, call_span)

        return check_made

    def _lambda_check(self, name: Symbol, formals: Any, span) -> CheckCall:
        def check_lambda(args: Arguments, call_span: Span | None) -> list[TaskschemeError]:
            try:
                required, optionals, keys, rest = self.analyzer.formals(formals, span)
            except TaskschemeError:
                return []
            procedure = Lambda(
                required, optionals, keys, rest, None, None, strip_aliases(name).name, None
            )
            try:
                procedure.check_arguments([arg for arg, _ in args])
            except ArityError as error:
                return [error.located(call_span)]
            return []

        return check_lambda

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
        """The calls by global name that cannot work: of a procedure defined once in the
        program, a primitive or a library procedure, with arguments it cannot take
        (their number, or an unknown keyword), and those a layer's checks find wrong."""
        problems: list[TaskschemeError] = []
        for name, args, span in self.calls:
            problems.extend(self._call_problems(name, args, span))
        return problems

    def _call_problems(
        self, name: Symbol, args: Arguments, span: Span | None
    ) -> list[TaskschemeError]:
        if name in self.signatures:
            check = self.signatures[name]
            return [] if check is None else check(args, span)
        if name in self.analyzer.defined_globals:
            return []
        layer = self.analyzer.call_checks.get(name)
        problems = [] if layer is None else layer.problems(args, span)
        problem = self._builtin_arity_problem(name, [arg for arg, _ in args])
        if problem is not None:
            problems.append(problem.located(span))
        return problems

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
