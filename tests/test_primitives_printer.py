"""The printer: write, display and write-shared forms of every kind of value."""

import math
from fractions import Fraction

import pytest

from interpreter.errors import SchemeError
from interpreter.lang.datums import (
    EOF,
    NIL,
    UNSPECIFIED,
    Char,
    Environment,
    Keyword,
    Pair,
    Parameter,
    Promise,
    Record,
    RecordType,
    SourcePair,
    Symbol,
    Values,
    python_to_list,
)
from interpreter.lang.primitives import all_primitives
from interpreter.lang.printer import display_string, write_shared_string, write_string

P = all_primitives()


def L(*items):
    return python_to_list(items)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (1, "1"),
        (1.0, "1.0"),
        (1e100, "1e+100"),
        (math.inf, "+inf.0"),
        (-math.inf, "-inf.0"),
        (math.nan, "+nan.0"),
        (Fraction(-1, 3), "-1/3"),
        (True, "#t"),
        (False, "#f"),
        ('say "hi"\\\n\t\x01', r'"say \"hi\"\\\n\t\x1;"'),
        ("λ", '"λ"'),
        (Char("a"), "#\\a"),
        (Char(" "), "#\\space"),
        (Char("\n"), "#\\newline"),
        (Char("\t"), "#\\tab"),
        (Char("\0"), "#\\null"),
        (Char("λ"), "#\\x3bb"),
        (Symbol("abc"), "abc"),
        (Symbol("hello world"), "|hello world|"),
        (Symbol("42"), "|42|"),
        (Symbol(""), "||"),
        (Symbol("a|b"), "|a\\|b|"),
        (Symbol("+"), "+"),
        (Keyword("name"), "#:name"),
        (NIL, "()"),
        (L(1, L(2, 3), "s"), '(1 (2 3) "s")'),
        (Pair(1, Pair(2, 3)), "(1 2 . 3)"),
        (SourcePair(1, NIL, None), "(1)"),
        (L(Symbol("quote"), Symbol("x")), "(quote x)"),
        ([1, "a"], '#(1 "a")'),
        ((), "#()"),
        (bytearray([1, 255]), "#u8(1 255)"),
        (b"", "#u8()"),
        (UNSPECIFIED, "#<unspecified>"),
        (EOF, "#<eof>"),
        (Values((1, "a")), '1 "a"'),
        (Promise(False, None), "#<promise>"),
        (Parameter(1, name="p"), "#<parameter p>"),
        (Environment.make({}), "#<environment>"),
        (RecordType("<point>", ("x", "y")), "#<record-type point>"),
        (Record(RecordType("point", ("x", "y")), [1, L(2)]), "#<point x: 1 y: (2)>"),
        (SchemeError("bad input", ["x", 1]), '#<error "bad input" "x" 1>'),
        (object(), "#<python object>"),
    ],
)
def test_write(value, written):
    assert write_string(value) == written


def test_huge_integers():
    assert write_string(-(10**5000)) == "-1" + "0" * 5000


def test_display_shows_text_plainly():
    assert (
        display_string(L("a b", Char("c"), Symbol("hello world"), [Char(" ")]))
        == "(a b c hello world #( ))"
    )
    assert display_string("line\n") == "line\n"
    assert display_string(SchemeError("bad", ["x"])) == '#<error "bad" x>'


def test_procedures():
    class Lambda:
        is_procedure = True
        name = "square"

        def __call__(self, x):
            return x * x

    assert write_string(P["car"]) == "#<procedure car>"
    assert write_string(Lambda()) == "#<procedure square>"
    assert write_string(lambda: 1) == "#<procedure>"


def test_cycles_get_datum_labels():
    lst = L(1, 2)
    lst.cdr.cdr = lst
    assert write_string(lst) == "#0=(1 2 . #0#)"
    assert display_string(lst) == "#0=(1 2 . #0#)"
    vector = [1]
    vector.append(vector)
    assert write_string(vector) == "#0=#(1 #0#)"
    inner = L(1)
    inner.car = inner
    assert write_string(L(inner, inner)) == "(#0=(#0#) #0#)"


def test_shared_structure():
    shared = L(1)
    both = L(shared, shared)
    assert write_string(both) == "((1) (1))"
    assert write_shared_string(both) == "(#0=(1) #0#)"


def test_long_and_deep_data():
    assert write_string(python_to_list(range(100_000))).endswith("99998 99999)")
    deep = NIL
    for _ in range(10_000):
        deep = L(deep)
    text = write_string(deep)
    assert text == "(" * 10_000 + "()" + ")" * 10_000
    nested_vectors = []
    for _ in range(10_000):
        nested_vectors = [nested_vectors]
    assert write_string(nested_vectors) == "#(" * 10_001 + ")" * 10_001
