"""The analyzer: each core form becomes a Python closure `node(env)`, once.

Analysis resolves every variable to its lexical depth (or to the global table),
expands derived forms and macros, finds internal definitions, and checks the shape
of every special form, so running a node does only the work of the program itself.
Nodes in tail position return `TailCall` for compound procedures (see evaluator).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from interpreter.diagnostics import suggest
from interpreter.errors import (
    RecursionDepthError,
    SchemeSyntaxError,
    TaskschemeError,
    UnboundVariableError,
)
from interpreter.lang.analyze.calls import call_node
from interpreter.lang.analyze.codegen import compiled_node, hot_body
from interpreter.lang.analyze.nodes import constant_node, global_operand, variable_node
from interpreter.lang.datums import (
    NIL,
    UNSPECIFIED,
    Alias,
    Environment,
    Keyword,
    Symbol,
    is_interned,
    is_pair,
)
from interpreter.lang.expand import (
    AUXILIARY,
    SyntaxRules,
    cells,
    expand_named_let,
    strip_aliases,
)
from interpreter.lang.meter import Meter
from interpreter.lang.printer import write_abbreviated
from interpreter.lang.registry import DerivedForm, FormRegistry, merged
from interpreter.lang.runtime import (
    Body,
    Lambda,
)
from interpreter.source import Span

S = Symbol
LAMBDA, CASE_LAMBDA, DEFINE_SYNTAX = S("lambda"), S("case-lambda"), S("define-syntax")
Node = Callable[[Environment], Any]
# what a name used as an operator can expand by: a macro or a derived form
Expander = SyntaxRules | DerivedForm

OPTIONAL, KEY, REST = Keyword("optional"), Keyword("key"), Keyword("rest")


class Scope:
    """Analysis-time picture of one run-time Environment: its names and local macros.

    `bound_in_tree` is shared by a top-level form's scopes: every name any of them binds.
    A name not in it (a global, a special form) is resolved without walking the chain
    of scopes, so analysis stays linear however deeply the forms nest.
    """

    __slots__ = ("bound_in_tree", "macros", "names", "parent")

    def __init__(self, names, parent: Scope | None) -> None:
        self.names = set(names)
        self.parent = parent
        self.macros: dict[Symbol, SyntaxRules] = {}
        self.bound_in_tree: set[Symbol] = set() if parent is None else parent.bound_in_tree
        self.bound_in_tree.update(self.names)

    def bind(self, name: Symbol) -> None:
        """Add a variable to this scope (an internal definition)."""
        self.names.add(name)
        self.bound_in_tree.add(name)

    def bind_macro(self, name: Symbol, macro: SyntaxRules) -> None:
        self.macros[name] = macro
        self.bound_in_tree.add(name)


# Forms may nest this deep, counting what macros and derived forms expand into; past
# it, analysis stops with a syntax error (docs/language.md, "Not supported").
MAX_NESTING = 10_000


class Analyzer:
    """Analyzes forms against one global environment and its macro table.

    The nodes it makes run in an `Environment` that extends `global_environment` (or
    is it); globals are read from its `bindings`, the table every node shares.

    `forms` are the registries of the special and derived forms this language has (the
    core's, and those of the layers built on it). `on_global_miss(name, span)` is called
    when a global is not bound: it may load it (the standard library loads on first use)
    or raise the unbound-variable error. `layer_state` holds, by layer name, the
    per-Interpreter state those layers' forms work on. `observer`, when set, is told of every global
    reference, call by global name and global definition (see lint.py), which judges
    calls of a layer's procedures by that layer's `call_checks`. `read_only`: the global
    environment cannot be changed (an environment made by `environment`, R7RS 6.12).
    """

    def __init__(
        self,
        global_environment: Environment,
        on_global_miss: Callable[..., Any],
        forms: Iterable[FormRegistry],
        layer_state: Mapping[str, Any] | None = None,
        read_only: bool = False,
    ) -> None:
        self.global_environment = global_environment
        self.globals = global_environment.bindings
        self.macros: dict[Symbol, SyntaxRules] = {}
        self.on_global_miss = on_global_miss
        self.defined_globals: set[Symbol] = set()
        self.special_forms, self.derived_forms, self.call_checks = merged(forms)
        self.observer: Any = None
        # per-Interpreter state of the layers whose forms are registered, by layer
        self.layer_state = layer_state or {}
        self.read_only = read_only
        # how many forms are being analyzed, one inside the other (see MAX_NESTING)
        self.nesting = 0
        # set when the host limits steps: each procedure made here spends one per body run
        self.meter: Meter | None = None

    # ------------------------------------------------------------ entry points

    def analyze_toplevel(self, form: Any, span: Span | None, scope: Scope | None = None) -> Node:
        """The node of a top-level form. With `scope` (see `scope_of`), the form runs in
        an environment extending the global one, and what it defines is defined there."""
        try:
            if scope is None:
                return self.analyze(form, None, False, span)
            forms = self.definitions_first([(form, span)], scope)
            if not forms:
                return constant_node(UNSPECIFIED)
            return sequence([self.analyze(f, scope, False, s) for f, s in forms])
        except RecursionError:
            # the Python stack ran out before MAX_NESTING: max_recursion_depth is low
            raise RecursionDepthError(
                "forms nested too deeply to analyze within max_recursion_depth "
                "(raise it in taskscheme.toml or with --max-recursion-depth)",
                span=span,
            ) from None

    def scope_of(self, environment: Environment) -> Scope | None:
        """The scopes of `environment`'s chain, the global environment excluded: what
        code evaluated in it is analyzed at. None if `environment` is the global one;
        ValueError if it does not extend it."""
        chain = environment.chain()
        if chain[-1] is not self.global_environment:
            raise ValueError("not an environment of this analyzer")
        scope = None
        for outer in reversed(chain[:-1]):
            scope = Scope(outer.bindings, scope)
        return scope

    def global_names(self) -> list[str]:
        names = {s.name for s in self.globals}
        names.update(self.keyword_names())
        return sorted(names)

    def keyword_names(self) -> set[str]:
        """The special forms, derived forms and global macros: names that are not values."""
        names = {s.name for s in self.special_forms}
        names.update(s.name for s in self.derived_forms)
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
                keywords = sorted(self.keyword_names())
                choice = suggest(name.name, [*keywords, *([choice] if choice else [])])
        hint = f" (did you mean {choice}?)" if choice else ""
        text = write_abbreviated(strip_aliases(name))
        if role == "set":
            error.message = f"cannot set! {text}: it is not defined{hint}"
        else:
            error.message = f"unbound variable {text}{hint}"
        return error

    # ------------------------------------------------------------ dispatch

    def analyze(self, x: Any, scope: Scope | None, tail: bool, span: Span | None) -> Node:
        self.nesting += 1
        try:
            if self.nesting > MAX_NESTING:
                raise self.too_deep(x, scope, getattr(x, "span", None) or span)
            return self._analyze(x, scope, tail, span)
        finally:
            self.nesting -= 1

    def too_deep(self, x: Any, scope: Scope | None, span: Span | None) -> SchemeSyntaxError:
        """The error for a form nested past MAX_NESTING; a macro use that got there is
        most likely a macro that expands into a use of itself."""
        if is_pair(x) and isinstance(x.car, Symbol):
            name, depth, expander = self.resolve(x.car, scope)
            if depth is None and type(expander) is SyntaxRules:
                return SchemeSyntaxError(
                    f"macro {strip_aliases(name).name} expands more than {MAX_NESTING:,} "
                    "levels deep: does it expand into a use of itself that never ends?",
                    span,
                )
        return SchemeSyntaxError(
            f"forms nested more than {MAX_NESTING:,} levels deep "
            "(counting what macros and derived forms expand into)",
            span,
        )

    def _analyze(self, x: Any, scope: Scope | None, tail: bool, span: Span | None) -> Node:
        if isinstance(x, Symbol):
            return self.variable(x, scope, span)
        if is_pair(x):
            span = getattr(x, "span", None) or span
            head = x.car
            if isinstance(head, Symbol):
                name, depth, expander = self.resolve(head, scope)
                if depth is None:
                    if expander is not None:
                        return self.analyze(
                            self.expand(expander, x, scope, span), scope, tail, span
                        )
                    special = self.special_forms.get(name)
                    if special is not None and name not in self.defined_globals:
                        return special.analyze(self, x, scope, tail, span)
            return self.application(x, scope, tail, span)
        if x is NIL:
            raise SchemeSyntaxError("() is not an expression; write '() for the empty list", span)
        return constant_node(strip_aliases(x))  # a vector constant is quoted data, like 'datum

    def resolve(
        self, name: Symbol, scope: Scope | None
    ) -> tuple[Symbol, int | None, Expander | None]:
        """What `name` means at `scope`: (the name to look up, its frame depth or None for
        a global or a keyword, the macro or derived form it names, if it names one).

        An alias a macro expansion made and did not bind means what its original name
        means where the macro was defined (see datums.Alias).
        """
        frame, depth = scope, 0
        if scope is not None and name in scope.bound_in_tree:
            while frame is not None:
                if name in frame.macros:
                    return name, None, frame.macros[name]
                if name in frame.names:
                    return name, depth, None
                frame = frame.parent
                depth += 1
        if name in self.macros:
            return name, None, self.macros[name]
        if name in self.defined_globals or name is S("let"):
            return name, None, None
        if type(name) is Alias:
            original, home = name.original, name.home
            if home is None:  # a global macro's name means what it means globally
                return self.resolve(original, None)
            frame, distance = scope, 0
            while frame is not home:
                if frame is None:  # expanded outside the macro's scope: resolve where used
                    return self.resolve(original, scope)
                frame = frame.parent
                distance += 1
            target, depth, expander = self.resolve(original, home)
            return target, None if depth is None else depth + distance, expander
        return name, None, self.derived_forms.get(name)

    def expand(self, expander: Expander, x: Any, scope: Scope | None, span: Span | None) -> Any:
        """One expansion of the use `x` of a macro or derived form, at `scope`."""
        if type(expander) is SyntaxRules:
            return expander.expand(x, span)
        if expander.keywords:
            return expander.rewrite(
                x, span, lambda datum, keyword: self.means(datum, keyword, scope)
            )
        return expander.rewrite(x, span)

    def means(self, datum: Any, keyword: Symbol, scope: Scope | None) -> bool:
        """Is `datum`, at `scope`, the auxiliary keyword `keyword` (`else`, `=>`)? Not if
        the program binds that name as a variable there (R7RS 4.3.2)."""
        if not isinstance(datum, Symbol):
            return False
        name, depth, _ = self.resolve(datum, scope)
        return (
            name is keyword
            and depth is None
            and name not in self.defined_globals
            and name not in self.globals
        )

    def expand_head(self, x: Any, scope: Scope | None, span: Span | None) -> Any:
        """Expand macros at the head of `x` until a core form or an application remains."""
        expansions = 0
        while is_pair(x) and isinstance(x.car, Symbol):
            name, depth, expander = self.resolve(x.car, scope)
            if depth is not None:
                return x
            if expander is None:
                if name is S("let") and is_pair(x.cdr) and isinstance(x.cdr.car, Symbol):
                    x = expand_named_let(x, getattr(x, "span", None) or span)
                    continue
                return x
            expansions += 1
            if self.nesting + expansions > MAX_NESTING:
                raise self.too_deep(x, scope, getattr(x, "span", None) or span)
            x = self.expand(expander, x, scope, getattr(x, "span", None) or span)
        return x

    def is_core(self, form: Any, keyword: Symbol, scope: Scope | None) -> bool:
        """Is `form` a use of the special form `keyword` (not shadowed) at `scope`?"""
        if not (is_pair(form) and isinstance(form.car, Symbol)):
            return False
        name, depth, expander = self.resolve(form.car, scope)
        return (
            name is keyword
            and depth is None
            and expander is None
            and name not in self.defined_globals
        )

    def check_writable(self, what: str, name: Symbol, span: Span | None) -> None:
        """`what` (define, set!, define-syntax) of the global `name` changes the global
        environment: a syntax error if it is read-only."""
        if self.read_only:
            raise SchemeSyntaxError(
                f"cannot {what} {strip_aliases(name).name}: this environment is read-only "
                "(an environment from (environment ...) cannot be changed)",
                span,
            )

    # ------------------------------------------------------------ variables

    def variable(
        self, symbol: Symbol, scope: Scope | None, span: Span | None, role: str = "value"
    ) -> Node:
        name, depth, expander = self.resolve(symbol, scope)
        if depth is None:
            if name in self.globals or name in self.defined_globals:
                pass
            elif expander is not None or name in self.special_forms:
                kind = (
                    "a special form"
                    if name in self.special_forms or name in self.derived_forms
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
            if self.observer is not None:
                self.observer.global_reference(name, span, scope, role)
            explain = self.explain_unbound

            def global_ref(env):
                try:
                    return table[name]
                except KeyError:
                    try:
                        return miss(name, span)
                    except UnboundVariableError as error:
                        raise explain(error, name, scope, role) from None

            return global_operand(global_ref, table, name)
        return variable_node(name, depth, span)

    # ------------------------------------------------------------ core forms

    def analyze_named(self, x, scope, span, name: Symbol) -> Node:
        """Analyze a value expression, naming it after `name` if it is a lambda."""
        expanded = self.expand_head(x, scope, span)
        for keyword in (LAMBDA, CASE_LAMBDA):
            if self.is_core(expanded, keyword, scope):
                return self.special_forms[keyword].analyze(
                    self,
                    expanded,
                    scope,
                    False,
                    getattr(expanded, "span", None) or span,
                    name=strip_aliases(name).name,
                )
        return self.analyze(expanded, scope, False, span)

    def make_lambda(self, formals, formals_span, body_items, scope, span, name):
        required, optionals, keys, rest = self.formals(formals, formals_span)
        names = [*required, *(s for s, _ in optionals), *(s for _, s, _ in keys)]
        if rest is not None:
            names.append(rest)
        inner = Scope(names, scope)
        optional_nodes = [(s, self.analyze(d, inner, False, formals_span)) for s, d in optionals]
        key_nodes = [(k, s, self.analyze(d, inner, False, formals_span)) for k, s, d in keys]
        tree = self.body(body_items, inner, span)
        body = Body(tree, hot_body(tree))
        meter = self.meter

        def make_lambda(env):
            return Lambda(required, optional_nodes, key_nodes, rest, body, env, name, span, meter)

        return make_lambda

    def formals(self, formals, span):
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

    def body(self, items, scope: Scope, span, tail: bool = True) -> Node:
        """A body: internal definitions (found after expanding macros) then expressions.

        `tail`: whether the body's last expression is in tail position (a lambda body
        always is; a let body only when the let is).
        """
        forms = self.definitions_first(items, scope)
        if not forms:
            raise SchemeSyntaxError("empty body: expected at least one expression", span)
        nodes = [self.analyze(f, scope, False, s) for f, s in forms[:-1]]
        nodes.append(self.analyze(forms[-1][0], scope, tail, forms[-1][1]))
        return sequence(nodes)

    def definitions_first(self, items, scope: Scope | None) -> list[tuple[Any, Any]]:
        """The forms of a body (or of a top-level `begin`), heads expanded, nested `begin`s
        spliced in and `define-syntax` forms taken in, after declaring every name their
        definitions bind: so definitions see each other, even those one macro use made.

        At top level only names a macro introduced are declared ahead: a name the program
        wrote is found in the global table when the code runs, but an alias means its
        original until its own definition is known (see resolve).
        """
        forms: list[tuple[Any, Any]] = []
        pending = list(reversed(items))
        while pending:
            form, fspan = pending.pop()
            form = self.expand_head(form, scope, fspan)
            if self.is_core(form, S("begin"), scope):
                pending.extend(
                    reversed(cells(form, getattr(form, "span", None) or fspan, "begin")[1:])
                )
                continue
            if self.is_core(form, S("define"), scope):
                target = form.cdr.car if is_pair(form.cdr) else None
                while is_pair(target):
                    target = target.car
                if scope is not None and isinstance(target, Symbol):
                    scope.bind(target)
                elif type(target) is Alias:
                    self.defined_globals.add(target)
            if self.is_core(form, DEFINE_SYNTAX, scope):
                self.special_forms[DEFINE_SYNTAX].analyze(
                    self, form, scope, False, getattr(form, "span", None) or fspan
                )
                continue
            forms.append((form, fspan))
        return forms

    def bindings(self, x, span, what):
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

    # ------------------------------------------------------------ application

    def application(self, x, scope, tail, span):
        items = cells(x, span, "procedure call")
        if isinstance(items[0][0], Symbol):
            function = self.variable(items[0][0], scope, items[0][1], "operator")
        else:
            function = self.analyze(items[0][0], scope, False, items[0][1])
        arguments = [self.analyze(a, scope, False, s) for a, s in items[1:]]
        name = depth = None
        if isinstance(items[0][0], Symbol):
            name, depth, _ = self.resolve(items[0][0], scope)
        global_name = name if name is not None and depth is None else None
        if global_name is not None and self.observer is not None:
            self.observer.global_call(global_name, items[1:], span)
        return call_node(function, arguments, self.globals, global_name, tail, span)


def sequence(nodes: list[Node]) -> Node:
    """Each node for its effect, the last for the value (`begin`, a body)."""
    if len(nodes) == 1:
        return nodes[0]
    return compiled_node(("sequence",), [], nodes)


def _closest_local(name: Symbol, scope: Scope | None) -> str | None:
    """A local variable name close to `name`, visible at `scope`: a misspelt parameter
    is likelier than a global."""
    visible = set()
    while scope is not None:
        visible.update(n.name for n in scope.names if is_interned(n))
        scope = scope.parent
    return suggest(name.name, sorted(visible))
