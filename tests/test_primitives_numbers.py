"""Number primitives, called from Python."""

import math
import re
from fractions import Fraction

import pytest

from interpreter.errors import SchemeError, SchemeTypeError
from interpreter.lang.datums import Values, frozen
from interpreter.lang.primitives import all_primitives
from interpreter.lang.primitives.number_syntax import format_number, parse_number

P = all_primitives()


def call(name, *args):
    """The primitive's result; a string it made (mutable) as its text, to compare."""
    return frozen(P[name](*args))


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("+", (1, 2), 3),
        ("+", (), 0),
        ("+", (1, Fraction(1, 2), Fraction(1, 2)), 2),
        ("+", (1, 0.5), 1.5),
        ("-", (5,), -5),
        ("-", (10, 1, 2), 7),
        ("*", (), 1),
        ("*", (Fraction(2, 3), 3), 2),
        ("/", (1, 3), Fraction(1, 3)),
        ("/", (6, 3), 2),
        ("/", (2,), Fraction(1, 2)),
        ("/", (1.0, 0.0), math.inf),
        ("/", (-1, 0.0), -math.inf),
        ("quotient", (-7, 2), -3),
        ("remainder", (-7, 2), -1),
        ("modulo", (-7, 2), 1),
        ("floor-quotient", (-7, 2), -4),
        ("quotient", (7.0, 2), 3.0),
        ("gcd", (12, 18), 6),
        ("gcd", (), 0),
        ("lcm", (4, 6), 12),
        ("abs", (-5,), 5),
        ("min", (1, 2.0), 1.0),
        ("max", (1, 3, 2), 3),
        ("expt", (2, 10), 1024),
        ("expt", (2, -2), Fraction(1, 4)),
        ("expt", (Fraction(2, 3), 2), Fraction(4, 9)),
        ("expt", (4, 0.5), 2.0),
        ("expt", (0.0, -1), math.inf),
        ("sqrt", (16,), 4),
        ("sqrt", (Fraction(9, 4),), Fraction(3, 2)),
        ("sqrt", (16.0,), 4.0),
        ("square", (Fraction(1, 2),), Fraction(1, 4)),
        ("floor", (2.5,), 2.0),
        ("ceiling", (Fraction(1, 2),), 1),
        ("round", (2.5,), 2.0),
        ("round", (3.5,), 4.0),
        ("round", (Fraction(5, 2),), 2),
        ("truncate", (-2.7,), -2.0),
        ("exact", (0.5,), Fraction(1, 2)),
        ("exact", (2.0,), 2),
        ("inexact", (Fraction(1, 4),), 0.25),
        ("inexact", (10**400,), math.inf),
        ("numerator", (Fraction(6, 4),), 3),
        ("denominator", (Fraction(6, 4),), 2),
        ("denominator", (0.5,), 2.0),
        ("log", (8, 2), 3.0),
        ("atan", (1, 1), math.pi / 4),
        ("exp", (1000,), math.inf),
    ],
)
def test_results(name, args, expected):
    result = call(name, *args)
    assert result == expected
    assert type(result) is type(expected)


def test_huge_integers_are_exact():
    assert call("*", 10**30, 10**30) == 10**60
    assert call("expt", 3, 200) == 3**200


def test_round_keeps_negative_zero():
    assert math.copysign(1.0, call("round", -0.4)) == -1.0


def test_nan_division():
    assert math.isnan(call("/", 0.0, 0.0))


def test_comparisons_chain_and_mix_exactness():
    assert call("<", 1, 2, 3) is True
    assert call("<", 1, 3, 2) is False
    assert call("=", 1, 1.0, Fraction(2, 2)) is True
    assert call(">=", 3, 3, 2.5) is True
    assert call("=", math.nan, math.nan) is False


@pytest.mark.parametrize("name", ["+", "-", "*", "/", "<", "=", "max"])
def test_booleans_and_strings_are_not_numbers(name):
    with pytest.raises(
        SchemeTypeError, match=rf"^{re.escape(name)}: expected a number as argument 2, got #t"
    ):
        call(name, 1, True)
    with pytest.raises(SchemeTypeError, match='got "a"'):
        call(name, 1, "a")


def test_comparison_checks_every_argument():
    with pytest.raises(SchemeTypeError, match="argument 3"):
        call("<", 2, 1, "x")


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("/", (1, 0), r"/: division by zero"),
        ("/", (0,), r"/: division by zero"),
        ("quotient", (1, 0), r"quotient: division by zero"),
        ("modulo", (1.5, 1), r"modulo: expected an integer as argument 1, got 1.5"),
        (
            "sqrt",
            (-4,),
            r"sqrt: \(sqrt -4\) has no real value, and taskscheme has no complex numbers",
        ),
        ("log", (-1,), "no complex numbers"),
        ("asin", (2,), "no complex numbers"),
        ("expt", (-8, Fraction(1, 3)), "no complex numbers"),
        ("expt", (0, -1), "division by zero"),
        ("expt", (10, 10**9), "too large"),
        ("exact", (math.inf,), r"exact: \+inf\.0 has no exact counterpart"),
        ("exact-integer-sqrt", (-1,), "exact non-negative integer"),
        ("number->string", (1.5, 2), "radix 10"),
        ("number->string", (1, 3), "a radix of 2, 8, 10 or 16"),
        ("odd?", (1.5,), "an integer"),
        ("zero?", ("0",), "a number"),
        ("floor", ("x",), "a real number"),
    ],
)
def test_errors(name, args, message):
    with pytest.raises(SchemeError, match=message):
        call(name, *args)


def test_multiple_value_results():
    assert call("floor/", -7, 2) == Values((-4, 1))
    assert type(call("truncate/", -7, 2)) is Values
    assert call("truncate/", -7, 2) == (-3, -1)
    assert call("exact-integer-sqrt", 17) == (4, 1)


def test_predicates():
    assert call("number?", True) is False
    assert call("integer?", 2.0) is True
    assert call("integer?", Fraction(1, 2)) is False
    assert call("rational?", math.inf) is False
    assert call("exact?", Fraction(1, 2)) is True
    assert call("inexact?", 1.0) is True
    assert call("exact-integer?", 1.0) is False
    assert call("nan?", math.nan) is True
    assert call("infinite?", -math.inf) is True
    assert call("finite?", 1) is True
    assert call("even?", 0) is True
    assert call("odd?", -3) is True
    assert call("negative?", -0.5) is True


def test_number_string_conversions():
    assert call("number->string", 255, 16) == "ff"
    assert call("number->string", Fraction(-1, 3)) == "-1/3"
    assert call("number->string", 1.0) == "1.0"
    assert call("string->number", "ff", 16) == 255
    assert call("string->number", "1/3") == Fraction(1, 3)
    assert call("string->number", "1e3") == 1000.0
    assert call("string->number", "#xff") == 255
    assert call("string->number", "#e1.5") == Fraction(3, 2)
    assert call("string->number", "#i1/4") == 0.25
    assert call("string->number", "-inf.0") == -math.inf
    assert call("string->number", "abc") is False
    assert call("string->number", "1_000") is False
    assert call("string->number", " 1") is False
    assert call("string->number", "1/0") is False


def test_long_integers_round_trip_through_text():
    big = 7**20000
    assert parse_number(format_number(big)) == big
    assert format_number(-(10**5000)).startswith("-1000")


def test_random():
    assert 0 <= call("random", 10) < 10
    assert 0.0 <= call("random", 1.0) < 1.0
    with pytest.raises(SchemeTypeError):
        call("random", 0)
