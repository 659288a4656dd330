"""The analyzer: each core form becomes a Python closure `node(env)`, once.

Analysis resolves every variable to its lexical depth (or to the global table),
expands derived forms and macros, finds internal definitions, and checks the shape
of every special form, so running a node does only the work of the program itself.
Nodes in tail position return `TailCall` for compound procedures (see evaluator).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from interpreter.errors import ArityError, SchemeSyntaxError, TaskschemeError, UnboundVariableError
from interpreter.lang.datums import (
    NIL,
    UNSPECIFIED,
    Environment,
    Keyword,
    Parameter,
    Promise,
    SourcePair,
    Symbol,
    Values,
    is_pair,
)
from interpreter.lang.expand.expander import (
    ALIASES,
    AUXILIARY,
    DERIVED_FORMS,
    RECEIVE,
    SyntaxRules,
    cells,
    expand_named_let,
    make,
    strip_aliases,
)
from interpreter.lang.raising import type_error
from interpreter.lang.runtime import (
    DYNAMIC,
    GUARD_MARK,
    CaseLambda,
    Lambda,
    LazyThunk,
    TailCall,
    call_frame,
    host_error,
    run_calls,
)
from interpreter.source import Span

S = Symbol
Node = Callable[[Environment], Any]

OPTIONAL, KEY, REST = Keyword("optional"), Keyword("key"), Keyword("rest")


class Scope:
    """Analysis-time picture of one run-time frame: its names and local macros."""

    __slots__ = ("macros", "names", "parent")

    def __init__(self, names, parent: Scope | None) -> None:
        self.names = set(names)
        self.parent = parent
        self.macros: dict[Symbol, SyntaxRules] = {}


def _depth(scope: Scope | None, name: Symbol) -> int | None:
    depth = 0
    while scope is not None:
        if name in scope.names:
            return depth
        scope = scope.parent
        depth += 1
    return None


class _WorkingMemory(threading.local):
    """The working-memory frame of the innermost `with-context` running on this thread."""

    def __init__(self) -> None:
        self.current: Environment | None = None


WORKING_MEMORY = _WorkingMemory()


class Analyzer:
    """Analyzes forms against one global environment and its macro table.

    `on_global_miss(name, span)` is called when a global is not bound: it may load
    it (the standard library loads on first use) or raise the unbound-variable error.
    """

    def __init__(
        self, globals_env: Environment, on_global_miss: Callable[[Symbol, Span | None], Any]
    ) -> None:
        self.globals_env = globals_env
        self.globals = globals_env.bindings
        self.macros: dict[Symbol, SyntaxRules] = {}
        self.on_global_miss = on_global_miss
        self.defined_globals: set[Symbol] = set()
        self.watch_globals: list[tuple[Symbol, Span | None, Scope | None, str]] | None = None
        # `check` also collects every call of a global by name, and the formals of each
        # global defined once as a lambda (None once it is redefined or assigned)
        self.watch_calls: list[tuple[Symbol, list, Span | None]] | None = None
        self.signatures: dict[Symbol, Any] = {}
        self.special_forms: dict[Symbol, Callable] = {
            S("quote"): self._quote,
            S("if"): self._if,
            S("define"): self._define,
            S("set!"): self._set,
            S("lambda"): self._lambda,
            S("named-lambda"): self._named_lambda,
            S("begin"): self._begin,
            S("let"): self._let,
            S("letrec"): self._letrec,
            S("letrec*"): self._letrec,
            S("and"): self._and,
            S("or"): self._or,
            S("case-lambda"): self._case_lambda,
            S("parameterize"): self._parameterize,
            S("guard"): self._guard,
            S("delay"): self._delay,
            S("delay-force"): self._delay_force,
            S("make-promise-lazy"): self._delay_force,
            S("define-syntax"): self._define_syntax,
            S("let-syntax"): self._let_syntax,
            S("letrec-syntax"): self._let_syntax,
            S("receive"): self._receive,
            RECEIVE: self._receive,
            S("with-context"): self._with_context,
            S("syntax-error"): self._syntax_error,
            S("context-ref"): self._context_ref,
        }

    # ------------------------------------------------------------ entry points

    def analyze_toplevel(self, form: Any, span: Span | None) -> Node:
        return self.analyze(form, None, False, span)

    def global_names(self) -> list[str]:
        names = {s.name for s in self.globals}
        names.update(self.keyword_names())
        return sorted(names)

    def keyword_names(self) -> set[str]:
        """The special forms, derived forms and global macros: names that are not values."""
        names = {s.name for s in self.special_forms}
        names.update(s.name for s in DERIVED_FORMS)
        names.update(s.name for s in self.macros)
        return names

    def explain_unbound(
        self, error: TaskschemeError, name: Symbol, scope: Scope | None, role: str = "value"
    ) -> TaskschemeError:
        """Reword the unbound-variable `error` for `name` used at `scope` as `role`
        ("value", "operator" or "set"): suggest a close local name first, then the
        close global the error found; a special form or macro only for an operator,
        the one place one could have been meant."""
        choice = _closest_local(name, scope)
        if choice is None:
            choice = getattr(error, "suggestion", None)
            if role == "operator":
                from interpreter.lang.runtime import closest_name

                keywords = sorted(self.keyword_names())
                choice = closest_name(name.name, [*keywords, *([choice] if choice else [])])
        hint = f" (did you mean {choice}?)" if choice else ""
        text = strip_aliases(name).name
        if role == "set":
            error.message = f"cannot set! {text}: it is not defined{hint}"
        else:
            error.message = f"unbound variable {text}{hint}"
        return error

    # ------------------------------------------------------------ dispatch

    def analyze(self, x: Any, scope: Scope | None, tail: bool, span: Span | None) -> Node:
        if isinstance(x, Symbol):
            return self._variable(x, scope, span)
        if is_pair(x):
            span = getattr(x, "span", None) or span
            head = x.car
            if isinstance(head, Symbol):
                name, depth, expander = self._resolve(head, scope)
                if depth is None:
                    if expander is not None:
                        return self.analyze(expander(x, span), scope, tail, span)
                    special = self.special_forms.get(name)
                    if special is not None and name not in self.defined_globals:
                        return special(x, scope, tail, span)
            return self._application(x, scope, tail, span)
        if x is NIL:
            raise SchemeSyntaxError("() is not an expression; write '() for the empty list", span)
        return lambda env: x

    def _resolve(
        self, name: Symbol, scope: Scope | None
    ) -> tuple[Symbol, int | None, Callable | None]:
        """What `name` means at `scope`: (the name to look up, its frame depth or None for
        a global or a keyword, the macro expander if it names a macro or derived form).

        A symbol renamed by a macro expansion and not bound by it means what its original
        name means where the macro was defined (see expander.ALIASES).
        """
        frame, depth = scope, 0
        while frame is not None:
            if name in frame.macros:
                return name, None, frame.macros[name].expand
            if name in frame.names:
                return name, depth, None
            frame = frame.parent
            depth += 1
        if name in self.macros:
            return name, None, self.macros[name].expand
        if name in self.defined_globals or name is S("let"):
            return name, None, None
        if name in ALIASES:
            original, home = ALIASES[name]
            frame, distance = scope, 0
            while frame is not home:
                if frame is None:  # expanded outside the macro's scope: resolve where used
                    return self._resolve(original, scope)
                frame = frame.parent
                distance += 1
            target, depth, expander = self._resolve(original, home)
            return target, None if depth is None else depth + distance, expander
        return name, None, DERIVED_FORMS.get(name)

    def expand_head(self, x: Any, scope: Scope | None, span: Span | None) -> Any:
        """Expand macros at the head of `x` until a core form or an application remains."""
        while is_pair(x) and isinstance(x.car, Symbol):
            name, depth, expander = self._resolve(x.car, scope)
            if depth is not None:
                return x
            if expander is None:
                if name is S("let") and is_pair(x.cdr) and isinstance(x.cdr.car, Symbol):
                    x = expand_named_let(x, getattr(x, "span", None) or span)
                    continue
                return x
            x = expander(x, getattr(x, "span", None) or span)
        return x

    def _is_core(self, form: Any, keyword: Symbol, scope: Scope | None) -> bool:
        """Is `form` a use of the special form `keyword` (not shadowed) at `scope`?"""
        if not (is_pair(form) and isinstance(form.car, Symbol)):
            return False
        name, depth, expander = self._resolve(form.car, scope)
        return (
            name is keyword
            and depth is None
            and expander is None
            and name not in self.defined_globals
        )

    # ------------------------------------------------------------ variables

    def _variable(
        self, symbol: Symbol, scope: Scope | None, span: Span | None, role: str = "value"
    ) -> Node:
        name, depth, expander = self._resolve(symbol, scope)
        if depth is None:
            if name in self.globals or name in self.defined_globals:
                pass
            elif expander is not None or name in self.special_forms:
                kind = (
                    "a special form"
                    if name in self.special_forms or name in DERIVED_FORMS
                    else "a macro"
                )
                raise SchemeSyntaxError(
                    f"{name.name} is {kind}, not a value; it can only be used as ({name.name} ...)",
                    span,
                )
            elif name in AUXILIARY:
                raise SchemeSyntaxError(
                    f"{name.name} is only meaningful inside a form that expects it", span
                )
            table = self.globals
            miss = self.on_global_miss
            if self.watch_globals is not None:
                self.watch_globals.append((name, span, scope, role))
            explain = self.explain_unbound

            def global_ref(env):
                try:
                    return table[name]
                except KeyError:
                    try:
                        return miss(name, span)
                    except UnboundVariableError as error:
                        raise explain(error, name, scope, role) from None

            return global_ref
        if depth == 0:

            def local_ref(env):
                try:
                    return env.bindings[name]
                except KeyError:
                    raise _used_before_definition(name, span) from None

            return local_ref
        if depth == 1:

            def parent_ref(env):
                try:
                    return env.parent.bindings[name]
                except KeyError:
                    raise _used_before_definition(name, span) from None

            return parent_ref

        def deep_ref(env):
            for _ in range(depth):
                env = env.parent
            try:
                return env.bindings[name]
            except KeyError:
                raise _used_before_definition(name, span) from None

        return deep_ref

    # ------------------------------------------------------------ core forms

    def _quote(self, x, scope, tail, span):
        items = cells(x, span, "quote")
        if len(items) != 2:
            raise SchemeSyntaxError("bad quote: expected (quote datum)", span)
        datum = strip_aliases(items[1][0])
        return lambda env: datum

    def _if(self, x, scope, tail, span):
        items = cells(x, span, "if")
        if len(items) not in (3, 4):
            raise SchemeSyntaxError("bad if: expected (if test then [else])", span)
        test = self.analyze(items[1][0], scope, False, items[1][1])
        then = self.analyze(items[2][0], scope, tail, items[2][1])
        if len(items) == 3:

            def if_then(env):
                if test(env) is not False:
                    return then(env)
                return UNSPECIFIED

            return if_then
        otherwise = self.analyze(items[3][0], scope, tail, items[3][1])

        def if_node(env):
            if test(env) is not False:
                return then(env)
            return otherwise(env)

        return if_node

    def _define(self, x, scope, tail, span):
        items = cells(x, span, "define")
        if len(items) < 2:
            raise SchemeSyntaxError(
                "bad define: expected (define name value) or (define (name arg ...) body ...)", span
            )
        target = items[1][0]
        if is_pair(target):
            # (define (name . formals) body ...), curried when name is itself a list
            name, formals = target.car, target.cdr
            if len(items) < 3:
                from interpreter.lang.printer import write_string

                raise SchemeSyntaxError(
                    f"bad define of {write_string(strip_aliases(target))}: the body is empty",
                    span,
                )
            lam = SourcePair(
                S("lambda"), SourcePair(formals, _tail_of(x, 2), span, items[1][1]), span, span
            )
            if is_pair(name):
                return self._define(make([S("define"), name, lam], span), scope, tail, span)
            value = self._lambda(lam, scope, False, span, name=_name_of(name, items[1][1]))
        elif isinstance(target, Symbol):
            if len(items) > 3:
                raise SchemeSyntaxError(
                    f"bad define of {target.name}: expected one value expression", span
                )
            name = target
            if len(items) == 2:
                value = _constant(UNSPECIFIED)
            else:
                value = self._analyze_named(items[2][0], scope, items[2][1], name)
        else:
            raise SchemeSyntaxError("bad define: the name must be a symbol", items[1][1])
        if scope is None:
            if self.watch_calls is not None:
                self._note_signature(name, target, items, span)
            table = self.globals
            self.macros.pop(name, None)
            self.defined_globals.add(name)

            def define_global(env):
                table[name] = value(env)
                return UNSPECIFIED

            return define_global
        if name not in scope.names:
            raise SchemeSyntaxError(
                f"define of {name.name} is not allowed here: internal definitions go at the start of a body",
                span,
            )

        def define_local(env):
            env.bindings[name] = value(env)
            return UNSPECIFIED

        return define_local

    def _note_signature(self, name: Symbol, target: Any, items: list, span) -> None:
        """For `check`: the formals of a global defined as a procedure, if this is its
        only definition."""
        formals = None
        if is_pair(target):
            formals = target.cdr
        elif len(items) == 3:
            expanded = self.expand_head(items[2][0], None, items[2][1])
            if self._is_core(expanded, S("lambda"), None) and is_pair(expanded.cdr):
                formals = expanded.cdr.car
        seen = name in self.signatures or name in self.defined_globals
        self.signatures[name] = None if seen or formals is None else (formals, span)

    def arity_problems(self) -> list[TaskschemeError]:
        """For `check`: the calls, by global name, of a procedure defined once in the
        program, a primitive or a library procedure, with arguments it cannot take (their
        number, or an unknown keyword)."""
        problems: list[TaskschemeError] = []
        for name, args, span in self.watch_calls or []:
            if name in self.signatures:
                signature = self.signatures[name]
                if signature is None:
                    continue
                try:
                    required, optionals, keys, rest = self._formals(*signature)
                except TaskschemeError:
                    continue
                procedure = Lambda(
                    required, optionals, keys, rest, None, None, strip_aliases(name).name, None
                )
                try:
                    procedure.check_arguments(args)
                except ArityError as error:
                    problems.append(error.located(span))
            elif name not in self.defined_globals:
                problem = self._builtin_arity_problem(name, args)
                if problem is not None:
                    problems.append(problem.located(span))
        return problems

    def _builtin_arity_problem(self, name: Symbol, args: list) -> TaskschemeError | None:
        """A call of a primitive or a standard library procedure that cannot work."""
        if name in self.globals:
            value = self.globals[name]
        elif self.on_global_miss(name, None, probe=True):
            try:
                value = self.on_global_miss(name, None)
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
                from interpreter.lang.datums import procedure_name
                from interpreter.lang.runtime import host_arity_problem

                problem = host_arity_problem(value, len(args))
                if problem is not None:
                    return ArityError(f"{procedure_name(value)}: {problem}")
        except ArityError as error:
            return error
        return None

    def _analyze_named(self, x, scope, span, name: Symbol) -> Node:
        """Analyze a value expression, naming it after `name` if it is a lambda."""
        expanded = self.expand_head(x, scope, span)
        for keyword, analyze in (
            (S("lambda"), self._lambda),
            (S("case-lambda"), self._case_lambda),
        ):
            if self._is_core(expanded, keyword, scope):
                return analyze(
                    expanded,
                    scope,
                    False,
                    getattr(expanded, "span", None) or span,
                    name=strip_aliases(name).name,
                )
        return self.analyze(expanded, scope, False, span)

    def _set(self, x, scope, tail, span):
        items = cells(x, span, "set!")
        if len(items) != 3 or not isinstance(items[1][0], Symbol):
            raise SchemeSyntaxError("bad set!: expected (set! name value)", span)
        value = self._analyze_named(items[2][0], scope, items[2][1], items[1][0])
        name, depth, expander = self._resolve(items[1][0], scope)
        if expander is not None or (depth is None and name in self.special_forms):
            raise SchemeSyntaxError(
                f"bad set!: {name.name} is a special form or macro, not a variable", items[1][1]
            )
        if depth is None:
            table = self.globals
            miss = self.on_global_miss
            target_span = items[1][1]
            if self.watch_globals is not None:
                self.watch_globals.append((name, target_span, scope, "set"))
                self.signatures[name] = None
            explain = self.explain_unbound

            def set_global(env):
                if name not in table:
                    try:
                        miss(name, target_span)
                    except UnboundVariableError as error:
                        raise explain(error, name, scope, "set") from None
                table[name] = value(env)
                return UNSPECIFIED

            return set_global

        def set_local(env):
            new = value(env)
            frame = env
            for _ in range(depth):
                frame = frame.parent
            if name not in frame.bindings:
                raise _used_before_definition(name, span)
            frame.bindings[name] = new
            return UNSPECIFIED

        return set_local

    def _lambda(self, x, scope, tail, span, name: str = "anonymous"):
        items = cells(x, span, "lambda")
        if len(items) < 3:
            raise SchemeSyntaxError("bad lambda: expected (lambda formals body ...)", span)
        return self._make_lambda(items[1][0], items[1][1] or span, items[2:], scope, span, name)

    def _named_lambda(self, x, scope, tail, span):
        items = cells(x, span, "named-lambda")
        if len(items) < 3 or not is_pair(items[1][0]):
            raise SchemeSyntaxError(
                "bad named-lambda: expected (named-lambda (name . formals) body ...)", span
            )
        head = items[1][0]
        return self._make_lambda(
            head.cdr, items[1][1], items[2:], scope, span, _name_of(head.car, span)
        )

    def _make_lambda(self, formals, formals_span, body_items, scope, span, name):
        required, optionals, keys, rest = self._formals(formals, formals_span)
        names = [*required, *(s for s, _ in optionals), *(s for _, s, _ in keys)]
        if rest is not None:
            names.append(rest)
        inner = Scope(names, scope)
        optional_nodes = [(s, self.analyze(d, inner, False, formals_span)) for s, d in optionals]
        key_nodes = [(k, s, self.analyze(d, inner, False, formals_span)) for k, s, d in keys]
        body = self._body(body_items, inner, span)

        def make_lambda(env):
            return Lambda(required, optional_nodes, key_nodes, rest, body, env, name, span)

        return make_lambda

    def _formals(self, formals, span):
        required: list[Symbol] = []
        optionals: list[tuple[Symbol, Any]] = []
        keys: list[tuple[Keyword, Symbol, Any]] = []
        rest = None
        mode = "required"
        node = formals
        seen: set[Symbol] = set()

        def add(symbol, where):
            if not isinstance(symbol, Symbol):
                raise SchemeSyntaxError("bad parameter list: parameters must be symbols", where)
            if symbol in seen:
                raise SchemeSyntaxError(f"bad parameter list: {symbol.name} appears twice", where)
            seen.add(symbol)
            return symbol

        while is_pair(node):
            item = node.car
            where = getattr(node, "car_span", None) or span
            node = node.cdr
            if item is OPTIONAL or item is KEY:
                mode = "optional" if item is OPTIONAL else "key"
                continue
            if item is REST:
                if not is_pair(node) or node.cdr is not NIL:
                    raise SchemeSyntaxError(
                        "bad parameter list: #:rest must be followed by exactly one name", where
                    )
                rest = add(node.car, where)
                node = NIL
                break
            if mode == "required":
                required.append(add(item, where))
                continue
            if is_pair(item):
                parts = cells(item, where, "parameter default")
                if len(parts) != 2:
                    raise SchemeSyntaxError("bad parameter default: expected (name default)", where)
                symbol, default = add(parts[0][0], where), parts[1][0]
            else:
                symbol, default = add(item, where), False
            if mode == "optional":
                optionals.append((symbol, default))
            else:
                keys.append((Keyword(strip_aliases(symbol).name), symbol, default))
        if node is not NIL:
            rest = add(node, span)
        return required, optionals, keys, rest

    def _body(self, items, scope: Scope, span, tail: bool = True) -> Node:
        """A body: internal definitions (found after expanding macros) then expressions.

        `tail`: whether the body's last expression is in tail position (a lambda body
        always is; a let body only when the let is).
        """
        forms: list[tuple[Any, Any]] = []
        pending = list(reversed(items))
        while pending:
            form, fspan = pending.pop()
            form = self.expand_head(form, scope, fspan)
            if self._is_core(form, S("begin"), scope):
                pending.extend(
                    reversed(cells(form, getattr(form, "span", None) or fspan, "begin")[1:])
                )
                continue
            if self._is_core(form, S("define"), scope):
                target = form.cdr.car if is_pair(form.cdr) else None
                while is_pair(target):
                    target = target.car
                if isinstance(target, Symbol):
                    scope.names.add(target)
            if self._is_core(form, S("define-syntax"), scope):
                self._define_syntax(form, scope, False, getattr(form, "span", None) or fspan)
                continue
            forms.append((form, fspan))
        if not forms:
            raise SchemeSyntaxError("empty body: expected at least one expression", span)
        nodes = [self.analyze(f, scope, False, s) for f, s in forms[:-1]]
        nodes.append(self.analyze(forms[-1][0], scope, tail, forms[-1][1]))
        return _sequence(nodes)

    def _begin(self, x, scope, tail, span):
        items = cells(x, span, "begin")[1:]
        if not items:
            return _constant(UNSPECIFIED)
        nodes = [self.analyze(f, scope, False, s) for f, s in items[:-1]]
        nodes.append(self.analyze(items[-1][0], scope, tail, items[-1][1]))
        return _sequence(nodes)

    def _bindings(self, x, span, what):
        names, values = [], []
        for binding, bspan in cells(x, span, f"{what} bindings"):
            if isinstance(binding, Symbol):
                raise SchemeSyntaxError(
                    f"bad {what} binding: expected (name value), got the bare name "
                    f"{strip_aliases(binding).name}",
                    bspan,
                )
            parts = cells(binding, bspan, f"{what} binding")
            if len(parts) != 2 or not isinstance(parts[0][0], Symbol):
                raise SchemeSyntaxError(f"bad {what} binding: expected (name value)", bspan)
            if parts[0][0] in names:
                raise SchemeSyntaxError(f"bad {what}: {parts[0][0].name} is bound twice", bspan)
            names.append(parts[0][0])
            values.append(parts[1])
        return names, values

    def _let(self, x, scope, tail, span):
        items = cells(x, span, "let")
        if len(items) >= 2 and isinstance(items[1][0], Symbol):
            return self.analyze(expand_named_let(x, span), scope, tail, span)
        if len(items) < 3:
            raise SchemeSyntaxError("bad let: expected (let ((name value) ...) body ...)", span)
        names, values = self._bindings(items[1][0], items[1][1], "let")
        value_nodes = [
            self._analyze_named(v, scope, s, n) for n, (v, s) in zip(names, values, strict=True)
        ]
        body = self._body(items[2:], Scope(names, scope), span, tail)
        if len(names) == 1:
            (name,), (value,) = names, value_nodes

            def let1(env):
                return body(Environment({name: value(env)}, None, env))

            return let1
        pairs = tuple(zip(names, value_nodes, strict=True))

        def let(env):
            return body(Environment({n: v(env) for n, v in pairs}, None, env))

        return let

    def _letrec(self, x, scope, tail, span):
        items = cells(x, span, "letrec")
        if len(items) < 3:
            raise SchemeSyntaxError(
                "bad letrec: expected (letrec ((name value) ...) body ...)", span
            )
        names, values = self._bindings(items[1][0], items[1][1], "letrec")
        inner = Scope(names, scope)
        pairs = tuple(
            (n, self._analyze_named(v, inner, s, n))
            for n, (v, s) in zip(names, values, strict=True)
        )
        body = self._body(items[2:], inner, span, tail)

        def letrec(env):
            frame = Environment({}, None, env)
            bindings = frame.bindings
            for name, value in pairs:
                bindings[name] = value(frame)
            return body(frame)

        return letrec

    def _and(self, x, scope, tail, span):
        items = cells(x, span, "and")[1:]
        if not items:
            return _constant(True)
        nodes = [self.analyze(f, scope, False, s) for f, s in items[:-1]]
        last = self.analyze(items[-1][0], scope, tail, items[-1][1])

        def and_node(env):
            for node in nodes:
                if node(env) is False:
                    return False
            return last(env)

        return and_node

    def _or(self, x, scope, tail, span):
        items = cells(x, span, "or")[1:]
        if not items:
            return _constant(False)
        nodes = [self.analyze(f, scope, False, s) for f, s in items[:-1]]
        last = self.analyze(items[-1][0], scope, tail, items[-1][1])

        def or_node(env):
            for node in nodes:
                value = node(env)
                if value is not False:
                    return value
            return last(env)

        return or_node

    def _case_lambda(self, x, scope, tail, span, name: str = "case-lambda"):
        clauses = []
        for clause, cspan in cells(x, span, "case-lambda")[1:]:
            parts = cells(clause, cspan, "case-lambda clause")
            if len(parts) < 2:
                raise SchemeSyntaxError(
                    "bad case-lambda clause: expected (formals body ...)", cspan
                )
            clauses.append(
                self._make_lambda(parts[0][0], parts[0][1], parts[1:], scope, cspan, name)
            )

        def case_lambda(env):
            return CaseLambda([c(env) for c in clauses], name)

        return case_lambda

    def _parameterize(self, x, scope, tail, span):
        items = cells(x, span, "parameterize")
        if len(items) < 3:
            raise SchemeSyntaxError(
                "bad parameterize: expected (parameterize ((param value) ...) body ...)", span
            )
        pairs = []
        for binding, bspan in cells(items[1][0], items[1][1], "parameterize bindings"):
            parts = cells(binding, bspan, "parameterize binding")
            if len(parts) != 2:
                raise SchemeSyntaxError(
                    "bad parameterize binding: expected (parameter value)", bspan
                )
            pairs.append(
                (
                    self.analyze(parts[0][0], scope, False, parts[0][1]),
                    self.analyze(parts[1][0], scope, False, parts[1][1]),
                    bspan,
                )
            )
        body = self._body(items[2:], Scope((), scope), span, tail=False)

        def parameterize(env):
            params = []
            for param_node, value_node, bspan in pairs:
                param = param_node(env)
                if type(param) is not Parameter:
                    raise type_error("parameterize", "a parameter object", param).located(bspan)
                value = value_node(env)
                if param.converter is not None:
                    value = param.converter(value)
                params.append((param, value))
            saved = [(p, p.value) for p, _ in params]
            for param, value in params:
                param.value = value
            try:
                return body(Environment({}, None, env))
            finally:
                for param, old in saved:
                    param.value = old

        return parameterize

    def _guard(self, x, scope, tail, span):
        items = cells(x, span, "guard")
        if len(items) < 3 or not is_pair(items[1][0]) or not isinstance(items[1][0].car, Symbol):
            raise SchemeSyntaxError("bad guard: expected (guard (var clause ...) body ...)", span)
        var = items[1][0].car
        clause_scope = Scope([var], scope)
        no_match = _NoMatch()
        clauses = list(cells(items[1][0].cdr, items[1][1], "guard clauses"))
        has_else = any(is_pair(c) and c.car is S("else") for c, _ in clauses)
        if not has_else:
            clauses.append((make([S("else"), make([S("quote"), no_match], span)], span), span))
        handler = self.analyze(
            make([S("cond"), *[c for c, _ in clauses]], span), clause_scope, False, span
        )
        body = self._body(items[2:], Scope((), scope), span, tail=False)

        def guard(env):
            handlers = DYNAMIC.handlers
            depth = len(handlers)
            handlers.append(GUARD_MARK)
            try:
                return body(Environment({}, None, env))
            except TaskschemeError as error:
                del handlers[depth:]
                result = handler(Environment({var: error.payload}, None, env))
                if result is no_match:
                    raise
                return result
            finally:
                del handlers[depth:]

        return guard

    def _receive(self, x, scope, tail, span):
        """(receive formals expression body ...): bind the values of `expression` to
        `formals` as a lambda would bind arguments (SRFI 8); let-values expands to it."""
        items = cells(x, span, "receive")
        if len(items) < 4:
            raise SchemeSyntaxError(
                "bad receive: expected (receive formals expression body ...)", span
            )
        expression = self.analyze(items[2][0], scope, False, items[2][1])
        make_procedure = self._make_lambda(
            items[1][0], items[1][1] or span, items[3:], scope, span, "receive"
        )

        def receive(env):
            value = expression(env)
            values = list(value) if type(value) is Values else [value]
            procedure = make_procedure(env)
            try:
                frame = procedure.bind(values)
            except ArityError:
                takes = procedure.arity_text().replace("argument", "value")
                raise ArityError(
                    f"the expression gave {len(values)} value(s) but the formals take {takes}",
                    span=span,
                ) from None
            result = procedure.body(frame)
            return result if tail else _finish(result)

        return receive

    def _delay(self, x, scope, tail, span):
        expression = self._single(x, scope, span, "delay")
        return lambda env: Promise(False, lambda: expression(env))

    def _delay_force(self, x, scope, tail, span):
        expression = self._single(x, scope, span, "delay-force")
        return lambda env: Promise(False, LazyThunk(lambda: expression(env)))

    def _single(self, x, scope, span, name) -> Node:
        items = cells(x, span, name)
        if len(items) != 2:
            raise SchemeSyntaxError(f"bad {name}: expected ({name} expression)", span)
        return self.analyze(items[1][0], scope, False, items[1][1])

    def _define_syntax(self, x, scope, tail, span):
        items = cells(x, span, "define-syntax")
        if len(items) != 3 or not isinstance(items[1][0], Symbol):
            raise SchemeSyntaxError(
                "bad define-syntax: expected (define-syntax name (syntax-rules ...))", span
            )
        name = items[1][0]
        macro = SyntaxRules(name.name, items[2][0], items[2][1], scope)
        if scope is None:
            self.macros[name] = macro
            self.defined_globals.discard(name)
        else:
            scope.macros[name] = macro
        return _constant(UNSPECIFIED)

    def _let_syntax(self, x, scope, tail, span):
        items = cells(x, span, "let-syntax")
        if len(items) < 3:
            raise SchemeSyntaxError(
                "bad let-syntax: expected (let-syntax ((name (syntax-rules ...)) ...) body ...)",
                span,
            )
        inner = Scope((), scope)
        # letrec-syntax macros see each other; let-syntax macros see the enclosing scope
        home = inner if self._is_core(x, S("letrec-syntax"), scope) else scope
        for binding, bspan in cells(items[1][0], items[1][1], "let-syntax bindings"):
            parts = cells(binding, bspan, "let-syntax binding")
            if len(parts) != 2 or not isinstance(parts[0][0], Symbol):
                raise SchemeSyntaxError(
                    "bad let-syntax binding: expected (name (syntax-rules ...))", bspan
                )
            inner.macros[parts[0][0]] = SyntaxRules(
                parts[0][0].name, parts[1][0], parts[1][1], home
            )
        body = self._body(items[2:], inner, span, tail)
        return lambda env: body(Environment({}, None, env))

    def _syntax_error(self, x, scope, tail, span):
        """(syntax-error "message" form ...): a macro's way to reject a use, at expansion."""
        from interpreter.lang.printer import write_string

        items = cells(x, span, "syntax-error")
        if len(items) < 2 or not isinstance(items[1][0], str):
            raise SchemeSyntaxError(
                'bad syntax-error: expected (syntax-error "message" form ...)', span
            )
        details = " ".join(write_string(strip_aliases(f)) for f, _ in items[2:])
        raise SchemeSyntaxError(f"{items[1][0]} {details}".rstrip(), span)

    def _with_context(self, x, scope, tail, span):
        """(with-context ((key value) ...) body ...): working memory for the body's extent."""
        items = cells(x, span, "with-context")
        if len(items) < 3:
            raise SchemeSyntaxError(
                "bad with-context: expected (with-context ((key value) ...) body ...)", span
            )
        entries = []
        for binding, bspan in cells(items[1][0], items[1][1], "with-context entries"):
            parts = cells(binding, bspan, "with-context entry")
            if len(parts) != 2 or not isinstance(parts[0][0], Symbol | str):
                raise SchemeSyntaxError(
                    "bad with-context entry: expected (key value) with a symbol or string key",
                    bspan,
                )
            entries.append(
                (
                    _context_key(strip_aliases(parts[0][0])),
                    self.analyze(parts[1][0], scope, False, parts[1][1]),
                )
            )
        body = self._body(items[2:], Scope((), scope), span, tail=False)

        def with_context(env):
            frame = env.extend_context({key: value(env) for key, value in entries})
            outer = WORKING_MEMORY.current
            WORKING_MEMORY.current = frame
            try:
                return body(frame)
            finally:
                WORKING_MEMORY.current = outer

        return with_context

    def _context_ref(self, x, scope, tail, span):
        items = cells(x, span, "context-ref")
        if len(items) not in (2, 3):
            raise SchemeSyntaxError("bad context-ref: expected (context-ref key [default])", span)
        key = self.analyze(items[1][0], scope, False, items[1][1])
        default = self.analyze(items[2][0], scope, False, items[2][1]) if len(items) == 3 else None

        def context_ref(env):
            wanted = key(env)
            found, value = env.lookup_context(_context_key(wanted))
            if found:
                return value
            if default is not None:
                return default(env)
            from interpreter.errors import SchemeError

            keys = " ".join(str(k) for k in env.context_keys()) or "none"
            raise SchemeError(
                f"context-ref: no working-memory entry {wanted} (in scope: {keys})"
            ).located(span)

        return context_ref

    # ------------------------------------------------------------ application

    def _application(self, x, scope, tail, span):
        items = cells(x, span, "procedure call")
        if isinstance(items[0][0], Symbol):
            function = self._variable(items[0][0], scope, items[0][1], "operator")
        else:
            function = self.analyze(items[0][0], scope, False, items[0][1])
        arguments = [self.analyze(a, scope, False, s) for a, s in items[1:]]
        name = depth = None
        if isinstance(items[0][0], Symbol):
            name, depth, _ = self._resolve(items[0][0], scope)
        by_global_name = name is not None and depth is None
        if by_global_name and self.watch_calls is not None:
            self.watch_calls.append((name, [a for a, _ in items[1:]], span))
        count = len(arguments) if len(arguments) <= MAX_FIXED_ARGUMENTS else None
        maker = _application_maker(tail, count, by_global_name)
        if count is None:
            node = maker(function, self.globals, name, arguments, span)
        else:
            node = maker(function, self.globals, name, *arguments, span)
        if tail and by_global_name and name in TAIL_CALLING_PRIMITIVES:
            return _tail_calling(name, function, arguments, node, span)
        return node


# `apply` and `call-with-values` call a procedure in tail position (R7RS 3.5). A call
# of either in tail position, by its global name, gets a node that makes that call a
# TailCall when the operator is still the primitive; every other call is untouched.
TAIL_CALLING_PRIMITIVES = {S("apply"): "apply", S("call-with-values"): "call-with-values"}


def _tail_calling(name: Symbol, function: Node, arguments: list[Node], generic: Node, span) -> Node:
    from interpreter.lang.primitives import PRIMITIVES, all_primitives
    from interpreter.lang.runtime import tail_call_of

    key = TAIL_CALLING_PRIMITIVES[name]
    primitive = PRIMITIVES.get(key) or all_primitives()[key]

    def tail_calling(env):
        if function(env) is not primitive:
            return generic(env)
        try:
            return tail_call_of(primitive, [a(env) for a in arguments])
        except TaskschemeError as error:
            error.locate(span)
            raise

    return tail_calling


class _NoMatch:
    """What a guard's clauses return when none of them matched (the error is re-raised)."""


def _context_key(key: Any) -> Any:
    return Symbol(key) if isinstance(key, str) else key


def _finish(result: Any) -> Any:
    """Run a tail call to completion where the form must finish inside its own extent."""
    if type(result) is TailCall:
        from interpreter.lang.runtime import apply_procedure

        return apply_procedure(result.proc, result.args)
    return result


def _constant(value: Any) -> Node:
    return lambda env: value


def _sequence(nodes: list[Node]) -> Node:
    if len(nodes) == 1:
        return nodes[0]
    first, last = tuple(nodes[:-1]), nodes[-1]

    def sequence(env):
        for node in first:
            node(env)
        return last(env)

    return sequence


def _tail_of(x: Any, n: int) -> Any:
    for _ in range(n):
        x = x.cdr
    return x


def _name_of(name: Any, span) -> str:
    if not isinstance(name, Symbol):
        raise SchemeSyntaxError("bad define: the name must be a symbol", span)
    return strip_aliases(name).name


def _closest_local(name: Symbol, scope: Scope | None) -> str | None:
    """A local variable name close to `name`, visible at `scope`: a misspelt parameter
    is likelier than a global."""
    from interpreter.lang.runtime import closest_name

    visible = set()
    while scope is not None:
        visible.update(n.name for n in scope.names if n not in ALIASES)
        scope = scope.parent
    return closest_name(name.name, sorted(visible))


def _used_before_definition(name: Symbol, span) -> TaskschemeError:
    from interpreter.errors import UnboundVariableError

    return UnboundVariableError(
        f"{strip_aliases(name).name} is used before its definition", span=span
    )


# ---------------------------------------------------------------- application nodes
#
# One template, instantiated for 0-4 arguments and for "many", in tail and non-tail
# form. Calls are the hottest path: with a fixed argument count the arguments stay in
# local variables, a host procedure is called with them directly, and a simple
# procedure's frame is built without zip.

_CALL_TEMPLATE = """
def make(function, table, name, {params}span):
    def application(env):
        {fetch}
        {evaluate}
        try:
            if type(f) is Lambda:
                if f.simple and f.nreq == {count}:
                    p = f.params
                    result = f.body(Environment({frame}, None, f.env))
                    if type(result) is not TailCall:
                        return result
                    return run_calls(result.proc, result.args)
                return run_calls(f, {arglist})
            if type(f) is CaseLambda:
                return run_calls(f, {arglist})
            return f({values})
        except TaskschemeError as error:
            if error.span is None:
                error.span = span
            frame = call_frame(error, f, span)
            if frame is not None:
                error.chain.append(frame)
            raise
        except Exception as error:
            raise host_error(f, {arglist}, error, span) from error
    return application
"""

_TAIL_CALL_TEMPLATE = """
def make(function, table, name, {params}span):
    def tail_application(env):
        {fetch}
        {evaluate}
        if type(f) is Lambda:
            if f.simple:
                if f.nreq != {count}:
                    error = f.arity_error({count})
                    error.span = span
                    raise error
            else:
                try:
                    f.check_arguments({arglist})
                except TaskschemeError as error:
                    error.span = span
                    raise
            return TailCall(f, {arglist})
        try:
            if type(f) is CaseLambda:
                return TailCall(f.select({count}), {arglist})
            return f({values})
        except TaskschemeError as error:
            if error.span is None:
                error.span = span
            raise
        except Exception as error:
            raise host_error(f, {arglist}, error, span) from error
    return tail_application
"""

_NAMESPACE = {
    "Lambda": Lambda,
    "CaseLambda": CaseLambda,
    "TailCall": TailCall,
    "Environment": Environment,
    "TaskschemeError": TaskschemeError,
    "call_frame": call_frame,
    "host_error": host_error,
    "run_calls": run_calls,
}


MAX_FIXED_ARGUMENTS = 6

# How the operator is fetched: through its node, or (for a global name) straight from
# the global table, falling back to the node for a miss (autoload, unbound error).
_FETCH = "f = function(env)"
_FETCH_GLOBAL = (
    "try:\n            f = table[name]\n        except KeyError:\n            f = function(env)"
)


@cache
def _application_maker(tail: bool, count: int | None, by_global_name: bool) -> Callable:
    """The node factory for one kind of call, compiled from its template on first use."""
    template = _TAIL_CALL_TEMPLATE if tail else _CALL_TEMPLATE
    fetch = _FETCH_GLOBAL if by_global_name else _FETCH
    if count is None:
        fields = {
            "params": "arguments, ",
            "evaluate": "values = [a(env) for a in arguments]",
            "count": "len(values)",
            "frame": "dict(zip(p, values))",
            "arglist": "values",
            "values": "*values",
        }
    else:
        names = [f"a{i}" for i in range(count)]
        values = [f"v{i}" for i in range(count)]
        fields = {
            "params": "".join(f"{n}, " for n in names),
            "evaluate": "; ".join(f"{v} = {n}(env)" for v, n in zip(values, names, strict=True))
            or "pass",
            "count": str(count),
            "frame": "{" + ", ".join(f"p[{i}]: {v}" for i, v in enumerate(values)) + "}",
            "arglist": "[" + ", ".join(values) + "]",
            "values": ", ".join(values),
        }
    namespace = dict(_NAMESPACE)
    source = template.format(fetch=fetch, **fields)
    exec(compile(source, f"<application/{count}>", "exec"), namespace)
    return namespace["make"]
