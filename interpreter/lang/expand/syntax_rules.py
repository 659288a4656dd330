"""`syntax-rules` macros: matching uses against patterns, filling in templates, and
renaming what a template introduces (hygiene, as far as it goes).

Every symbol a template introduces (all but pattern variables, quoted data and the
auxiliary words `...`, `_`, `unquote`, `unquote-splicing`, `field` and `syntax-rules`)
becomes a fresh `Alias` at each expansion, which remembers the symbol
it renamed and the scope where the macro was defined. If the expansion binds it (a
`let` of a temporary, an internal `define`), it is that new binding, which no symbol of
the user's can see or capture. If nothing in the expansion binds it, the analyzer looks
the original name up where the macro was defined: so a template's `if`, `let` or
`display` means what it meant there even if the use site rebinds those names, a local
macro can use the local variables it sees, and a global macro can call a procedure
defined after it. Quoting an alias gives back the original.

What is not hygienic: derived forms (`cond`, `case`, `do`, ...) expand to core forms
named by plain symbols, so a program that binds `if` or `let` as a variable cannot use
derived forms inside that binding's scope; a macro's literals are compared by name.
docs/language.md says this in full.
"""

from __future__ import annotations

from typing import Any

from interpreter.errors import SchemeSyntaxError
from interpreter.lang.datums import NIL, Alias, SourcePair, Symbol, is_pair
from interpreter.lang.expand.common import (
    ELLIPSIS,
    NEVER_RENAMED,
    QUOTE,
    UNDERSCORE,
    S,
    cells,
    make,
    strip_aliases,
)
from interpreter.lang.primitives.equivalence import is_equal
from interpreter.lang.printer import write_string
from interpreter.source import Span


class SyntaxRules:
    """A macro defined by `syntax-rules`: patterns with ellipses, literals and templates."""

    def __init__(
        self,
        name: str,
        spec: Any,
        span: Span | None,
        home: Any = None,
    ) -> None:
        """`home`: the analyzer Scope the macro is defined in (None at top level)."""
        items = cells(spec, span, "syntax-rules") if is_pair(spec) else []
        if not items or items[0][0] is not S("syntax-rules"):
            raise SchemeSyntaxError(
                "bad define-syntax: expected (syntax-rules (literal ...) (pattern template) ...)",
                span,
            )
        rest = items[1:]
        self.ellipsis = ELLIPSIS
        if rest and isinstance(rest[0][0], Symbol):
            self.ellipsis = rest[0][0]
            rest = rest[1:]
        if not rest:
            raise SchemeSyntaxError("bad syntax-rules: missing the literals list", span)
        self.literals = {x for x, _ in cells(rest[0][0], rest[0][1], "syntax-rules literals")}
        if self.ellipsis in self.literals:
            self.ellipsis = _NO_ELLIPSIS  # a literal ellipsis is matched, not repeated
        self.rules = []
        for rule, rspan in rest[1:]:
            parts = cells(rule, rspan, "syntax-rules rule")
            if len(parts) != 2:
                raise SchemeSyntaxError("bad syntax-rules rule: expected (pattern template)", rspan)
            self.rules.append((parts[0][0], parts[1][0]))
        self.name = name
        self.home = home

    def expand(self, form: Any, span: Span | None) -> Any:
        for pattern, template in self.rules:
            binds: dict[Any, Any] = {}
            # the macro keyword itself is not matched
            if is_pair(pattern) and self._match(pattern.cdr, form.cdr, binds, span):
                renames: dict[Symbol, Symbol] = {}
                return self._instantiate(template, binds, renames, span)
        shapes = "; ".join(
            write_string(strip_aliases(SourcePair(S(self.name), p.cdr, None, None)))
            for p, _ in self.rules
            if is_pair(p)
        )
        raise SchemeSyntaxError(
            f"no syntax-rules pattern of {self.name} matches this use "
            f"(it takes {shapes or 'no forms'})",
            span,
        )

    def _match(self, pattern: Any, form: Any, binds: dict, span: Span | None) -> bool:
        """Match `form` (found at `span`) against `pattern`, binding pattern variables in
        `binds`; each variable's location goes in under `(_AT, variable)`, so that the
        expansion keeps the place the user wrote an argument (errors point at it)."""
        if isinstance(pattern, Symbol):
            if pattern in self.literals:
                return isinstance(form, Symbol) and strip_aliases(form) is strip_aliases(pattern)
            if pattern is not UNDERSCORE:
                binds[pattern] = form
                binds[_AT, pattern] = span
            return True
        if is_pair(pattern):
            if is_pair(pattern.cdr) and pattern.cdr.car is self.ellipsis:
                after = pattern.cdr.cdr
                min_after = _pair_length(after)
                items = []
                node = form
                while is_pair(node):
                    items.append(node)
                    node = node.cdr
                available = len(items) - min_after
                if available < 0:
                    return False
                matches = []
                node = form
                for _ in range(available):
                    sub: dict = {}
                    if not self._match(pattern.car, node.car, sub, _car_span(node, span)):
                        return False
                    matches.append(sub)
                    node = node.cdr
                for var in self._pattern_vars(pattern.car):
                    binds[var] = _Many(
                        [m[var] for m in matches], [m.get((_AT, var)) for m in matches]
                    )
                return self._match(after, node, binds, span)
            if not is_pair(form):
                return False
            return self._match(pattern.car, form.car, binds, _car_span(form, span)) and self._match(
                pattern.cdr, form.cdr, binds, span
            )
        if pattern is NIL:
            return form is NIL
        if isinstance(pattern, tuple):
            return isinstance(form, tuple) and self._match(
                make(list(pattern), span), make(list(form), span), binds, span
            )
        return is_equal(pattern, form)

    def _pattern_vars(self, pattern: Any) -> list[Symbol]:
        if isinstance(pattern, Symbol):
            if pattern in self.literals or pattern is self.ellipsis or pattern is UNDERSCORE:
                return []
            return [pattern]
        if is_pair(pattern):
            return self._pattern_vars(pattern.car) + self._pattern_vars(pattern.cdr)
        if isinstance(pattern, tuple):
            return [v for item in pattern for v in self._pattern_vars(item)]
        return []

    def _instantiate(
        self,
        template: Any,
        binds: dict,
        renames: dict,
        span: Span | None,
        ellipsis: Any = None,
    ) -> Any:
        """`template` filled in from `binds`. `ellipsis`: what repeats the template before
        it (None: the macro's ellipsis; inside `(... template)` nothing does)."""
        if ellipsis is None:
            ellipsis = self.ellipsis
        if isinstance(template, Symbol):
            if template in binds:
                value = binds[template]
                if isinstance(value, _Many):
                    raise SchemeSyntaxError(
                        f"in {self.name}: pattern variable {template.name} is used without its ellipsis",
                        span,
                    )
                return value
            return self._rename(template, renames)
        if isinstance(template, tuple):
            listed = make(list(template), span)
            return tuple(_list_items(self._instantiate(listed, binds, renames, span, ellipsis)))
        if not is_pair(template):
            return template
        if template.car is ellipsis and is_pair(template.cdr) and template.cdr.cdr is NIL:
            # (... template): the template with its ellipses taken literally
            return self._instantiate(template.cdr.car, binds, renames, span, _NO_ELLIPSIS)
        if template.car is QUOTE:
            # inside quote, pattern variables are substituted but nothing is renamed
            quoted = self._instantiate(template.cdr, binds, _NoRename(), span, ellipsis)
            return SourcePair(QUOTE, quoted, span, span)
        if is_pair(template.cdr) and template.cdr.car is ellipsis:
            rest = template.cdr.cdr
            depth = 1
            while is_pair(rest) and rest.car is ellipsis:
                depth += 1
                rest = rest.cdr
            expansions = self._expand_ellipsis(template.car, binds, renames, span, depth)
            result = self._instantiate(rest, binds, renames, span, ellipsis)
            for item, where in reversed(expansions):
                result = SourcePair(item, result, span, getattr(item, "span", None) or where)
            return result
        head = self._instantiate(template.car, binds, renames, span, ellipsis)
        return SourcePair(
            head,
            self._instantiate(template.cdr, binds, renames, span, ellipsis),
            span,
            getattr(head, "span", None) or _bound_span(template.car, binds) or span,
        )

    def _expand_ellipsis(
        self, sub: Any, binds: dict, renames: dict, span: Span | None, depth: int
    ) -> list[tuple[Any, Span | None]]:
        """The instances of `sub` under `depth` ellipses, each with its location: where
        the user wrote it if `sub` is a pattern variable, else the macro use."""
        variables = [v for v in self._pattern_vars(sub) if isinstance(binds.get(v), _Many)]
        if not variables:
            raise SchemeSyntaxError(
                f"in {self.name}: an ellipsis follows a template with no pattern variable under an ellipsis",
                span,
            )
        lengths = {len(binds[v].items) for v in variables}
        if len(lengths) > 1:
            raise SchemeSyntaxError(
                f"in {self.name}: pattern variables under one ellipsis matched different lengths",
                span,
            )
        results = []
        for i in range(lengths.pop()):
            local = dict(binds)
            for v in variables:
                local[v] = binds[v].items[i]
                local[_AT, v] = binds[v].spans[i]
            if depth > 1:
                results.extend(self._expand_ellipsis(sub, local, renames, span, depth - 1))
            else:
                item = self._instantiate(sub, local, renames, span)
                results.append((item, _bound_span(sub, local) or span))
        return results

    def _rename(self, symbol: Symbol, renames: dict) -> Symbol:
        if isinstance(renames, _NoRename) or symbol in NEVER_RENAMED:
            return symbol
        renamed = renames.get(symbol)
        if renamed is None:
            renamed = renames[symbol] = Alias(symbol, self.home)
        return renamed


class _NoRename(dict):
    pass


class _Many:
    """What a pattern variable under an ellipsis matched: the items and their locations."""

    __slots__ = ("items", "spans")

    def __init__(self, items: list, spans: list) -> None:
        self.items = items
        self.spans = spans


# The ellipsis of a macro that has none (its ellipsis is a literal) and of the inside of
# an escape `(... template)`: no symbol is it.
_NO_ELLIPSIS = object()

# The key under which a match records where a pattern variable's datum was written.
_AT = object()


def _car_span(cell: Any, default: Span | None) -> Span | None:
    return getattr(cell, "car_span", None) or default


def _bound_span(template: Any, binds: dict) -> Span | None:
    """Where the user wrote the datum that pattern variable `template` matched."""
    if isinstance(template, Symbol):
        return binds.get((_AT, template))
    return None


def _pair_length(node: Any) -> int:
    count = 0
    while is_pair(node):
        count += 1
        node = node.cdr
    return count


def _list_items(node: Any) -> list:
    items = []
    while is_pair(node):
        items.append(node.car)
        node = node.cdr
    return items
