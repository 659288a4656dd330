"""Numbers: exact integers and rationals (int, Fraction) and inexact reals (float).

Python's numeric tower does most of the work; what this module adds is the Scheme rules
Python does not have: booleans are not numbers, exact division gives rationals, a
Fraction equal to an integer becomes that integer, exactness is contagious the R7RS way,
and there are no complex numbers (a result that would be complex is an error that says so).
The arithmetic and comparison procedures check two small ints first, since loops spend
most of their time there. It is a little over 600 lines because R7RS section 6.2's
procedures are kept together: number syntax lives in number_syntax.py.
"""

from __future__ import annotations

import math
import operator
import random as _random
from collections.abc import Callable
from fractions import Fraction
from itertools import pairwise
from typing import Any

from interpreter.errors import AllocationLimitError, SchemeError
from interpreter.lang.datums import MutableString, Values, string_text
from interpreter.lang.primitives import alias, primitive
from interpreter.lang.primitives.common import compare_chain
from interpreter.lang.primitives.number_syntax import (
    MAX_EXACT_BITS,
    RADIXES,
    check_exact_size,
    format_number,
    normalize,
    parse_number,
    to_float,
)
from interpreter.lang.printer import write_abbreviated
from interpreter.lang.raising import type_error

Number = int | Fraction | float
NUMBER_TYPES = frozenset((int, Fraction, float))

# Exact numbers are bounded so that no single operation on them runs for long (Python
# cannot interrupt one): a result may have at most MAX_EXACT_BITS bits, and an operation
# whose time grows with the product of its operands' sizes (division, gcd, arithmetic on
# fractions) may take operands whose sizes multiply to at most _MAX_EXACT_WORK. Either
# takes about a second at the bound.
_MAX_EXACT_WORK = 1 << 40
_MAX_ROOT_BITS = 2 * (math.isqrt(_MAX_EXACT_WORK) - 1) + 1
# Integers between these two multiply with no check: the product fits. Both bounds are
# computed once: negating a number this large on each call would cost more than the check.
SMALL_FACTOR = 1 << (MAX_EXACT_BITS // 2)
MINUS_SMALL_FACTOR = -SMALL_FACTOR


def _exact_bits(x: int | Fraction) -> int:
    """The size of an exact number: the bits of its numerator and denominator."""
    if type(x) is int:
        return x.bit_length()
    return x.numerator.bit_length() + x.denominator.bit_length()


def _check_exact_work(proc: str, a: int | Fraction, b: int | Fraction) -> None:
    """Refuse a gcd, a division into a fraction or arithmetic on fractions of two exact
    numbers too large to finish promptly: each takes time in step with the product of
    their sizes."""
    a_bits, b_bits = _exact_bits(a), _exact_bits(b)
    _refuse_work(proc, a_bits, b_bits, a_bits * b_bits)


def _check_division(proc: str, a: int, b: int) -> None:
    """Refuse a long division too long to finish promptly: it takes time in step with the
    divisor's size times the quotient's."""
    a_bits, b_bits = a.bit_length(), b.bit_length()
    _refuse_work(proc, a_bits, b_bits, (max(a_bits - b_bits, 0) + 1) * b_bits)


def _integer_root(proc: str, k: int) -> int:
    """The integer square root of `k`, refused when too long to finish promptly: it takes
    about as long as dividing `k` by a number of half its size."""
    bits = k.bit_length()
    if (bits // 2 + 1) ** 2 > _MAX_EXACT_WORK:
        raise AllocationLimitError(
            f"{proc}: an exact number of {bits:,} bits is too large for a square root: "
            f"roots take exact numbers of at most {_MAX_ROOT_BITS:,} bits (about "
            f"{int(_MAX_ROOT_BITS * math.log10(2)):,} digits)"
        )
    return math.isqrt(k)


def _refuse_work(proc: str, a_bits: int, b_bits: int, work: int) -> None:
    if work > _MAX_EXACT_WORK:
        raise AllocationLimitError(
            f"{proc}: exact numbers of {a_bits:,} and {b_bits:,} bits are too large for it: "
            "division, gcd and arithmetic on fractions take numbers whose sizes in bits "
            f"multiply to at most {_MAX_EXACT_WORK:,} (two numbers of about 315,000 digits)"
        )


def check_number(proc: str, value: Any, position: int) -> Number:
    if type(value) in NUMBER_TYPES:
        return value
    raise type_error(proc, "a number", value, position)


def _check_integer(proc: str, value: Any, position: int) -> tuple[int, bool]:
    """An integer, exact or inexact, as (the Python int, whether it was inexact)."""
    kind = type(value)
    if kind is int:
        return value, False
    if kind is float and value.is_integer():
        return int(value), True
    raise type_error(proc, "an integer", value, position)


def _no_complex(proc: str, *args: Number) -> SchemeError:
    call = " ".join([proc, *(write_abbreviated(a) for a in args)])
    return SchemeError(f"{proc}: ({call}) has no real value, and taskscheme has no complex numbers")


# --- arithmetic --------------------------------------------------------------------------


ExactCheck = Callable[[str, Any, Any], None]


def _check_sum(proc: str, a: int | Fraction, b: int | Fraction) -> None:
    """Adding integers takes time and memory in step with their size; adding fractions
    multiplies (and divides) numerators and denominators."""
    if type(a) is not int or type(b) is not int:
        _check_product(proc, a, b)


def _check_product(proc: str, a: int | Fraction, b: int | Fraction) -> None:
    check_exact_size(proc, _exact_bits(a) + _exact_bits(b))
    if type(a) is not int or type(b) is not int:
        _check_exact_work(proc, a, b)


def _fold(
    proc: str,
    op: Callable[[Any, Any], Any],
    start: Number,
    args: tuple[Any, ...],
    first: int,
    check: ExactCheck,
) -> Number:
    """Combine `args` (argument positions from `first`) into `start` with `op`, checking
    types, and with `check` the size of each exact step before it is taken. Once a float
    is involved the arithmetic is inexact, and an exact number too large for a float
    counts as infinite there, as `exact->inexact` makes it."""
    result = start
    for position, value in enumerate(args, first):
        kind = type(value)
        if kind not in NUMBER_TYPES:
            raise type_error(proc, "a number", value, position)
        if kind is float or type(result) is float:
            result = op(to_float(result), to_float(value))
        else:
            check(proc, result, value)
            result = op(result, value)
    return normalize(result) if type(result) is Fraction else result


# The defaults are the identities, so `(+)` and `(+ x)` need no case of their own and the
# common call with two ints costs two type checks.
@primitive("+")
def add(a: Any = 0, b: Any = 0, *more: Any) -> Number:
    if type(a) is int and type(b) is int and not more:
        return a + b
    return _fold("+", operator.add, 0, (a, b, *more), 1, _check_sum)


@primitive("*")
def multiply(a: Any = 1, b: Any = 1, *more: Any) -> Number:
    if (
        type(a) is int
        and type(b) is int
        and not more
        and MINUS_SMALL_FACTOR < a < SMALL_FACTOR
        and MINUS_SMALL_FACTOR < b < SMALL_FACTOR
    ):
        return a * b
    return _fold("*", operator.mul, 1, (a, b, *more), 1, _check_product)


@primitive("-")
def subtract(number: Any, *numbers: Any) -> Number:
    if len(numbers) == 1:
        b = numbers[0]
        if type(number) is int and type(b) is int:
            return number - b
    check_number("-", number, 1)
    if not numbers:
        return -number
    return _fold("-", operator.sub, number, numbers, 2, _check_sum)


@primitive("/")
def divide(number: Any, *numbers: Any) -> Number:
    check_number("/", number, 1)
    if not numbers:
        return _fold("/", _divide, 1, (number,), 1, _check_exact_work)
    return _fold("/", _divide, number, numbers, 2, _check_exact_work)


def _divide(a: Number, b: Number) -> Number:
    if type(a) is float or type(b) is float:
        return a / b if b else _ieee_divide_by_zero(a, b)
    if b == 0:
        raise SchemeError("/: division by zero")
    if type(a) is int and type(b) is int:
        quotient, remainder = divmod(a, b)
        return quotient if remainder == 0 else Fraction(a, b)
    return Fraction(a) / b


def _ieee_divide_by_zero(a: Number, b: float) -> float:
    """x / 0.0 as IEEE 754 defines it, which Python refuses to compute."""
    if a != a or a == 0:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _comparison(name: str, op: Callable[[Any, Any], bool]) -> None:
    def compare(*numbers: Any) -> bool:
        if len(numbers) == 2:
            a, b = numbers
            if type(a) is int and type(b) is int:
                return op(a, b)
        return compare_chain(name, numbers, check_number, op)

    primitive(name)(compare)


for _name, _op in {
    "=": operator.eq,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}.items():
    _comparison(_name, _op)


# --- integer division ------------------------------------------------------------------


def _truncate_divide(a: int, b: int) -> tuple[int, int]:
    quotient = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        quotient = -quotient
    return quotient, a - b * quotient


def _integer_divide(
    proc: str, n1: Any, n2: Any, divide: Callable[[int, int], tuple[int, int]]
) -> tuple[Number, Number]:
    """(quotient, remainder) of two integers; inexact if either argument was."""
    a, inexact_a = _check_integer(proc, n1, 1)
    b, inexact_b = _check_integer(proc, n2, 2)
    if b == 0:
        raise SchemeError(f"{proc}: division by zero")
    _check_division(proc, a, b)
    quotient, remainder = divide(a, b)
    if inexact_a or inexact_b:
        return to_float(quotient), to_float(remainder)
    return quotient, remainder


@primitive("quotient")
def quotient(n1: Any, n2: Any) -> Number:
    return _integer_divide("quotient", n1, n2, _truncate_divide)[0]


@primitive("remainder")
def remainder(n1: Any, n2: Any) -> Number:
    return _integer_divide("remainder", n1, n2, _truncate_divide)[1]


@primitive("modulo")
def modulo(n1: Any, n2: Any) -> Number:
    return _integer_divide("modulo", n1, n2, divmod)[1]


@primitive("floor-quotient")
def floor_quotient(n1: Any, n2: Any) -> Number:
    return _integer_divide("floor-quotient", n1, n2, divmod)[0]


@primitive("floor/")
def floor_divide(n1: Any, n2: Any) -> Values:
    return Values(_integer_divide("floor/", n1, n2, divmod))


@primitive("truncate/")
def truncate_divide(n1: Any, n2: Any) -> Values:
    return Values(_integer_divide("truncate/", n1, n2, _truncate_divide))


alias("truncate-quotient", quotient)
alias("truncate-remainder", remainder)
alias("floor-remainder", modulo)


@primitive("gcd")
def gcd(*integers: Any) -> Number:
    return _integer_fold("gcd", math.gcd, integers)


@primitive("lcm")
def lcm(*integers: Any) -> Number:
    return _integer_fold("lcm", math.lcm, integers)


def _integer_fold(proc: str, fn: Callable[..., int], args: tuple[Any, ...]) -> Number:
    checked = [_check_integer(proc, value, position) for position, value in enumerate(args, 1)]
    integers = [n for n, _ in checked]
    for a, b in pairwise(integers):
        _check_exact_work(proc, a, b)
    if fn is math.lcm:
        check_exact_size(proc, sum(map(_exact_bits, integers)))
    result = fn(*integers)
    return to_float(result) if any(inexact for _, inexact in checked) else result


# --- magnitude ---------------------------------------------------------------------------


@primitive("abs")
def absolute(x: Any) -> Number:
    return abs(check_number("abs", x, 1))


@primitive("min")
def minimum(x: Any, *xs: Any) -> Number:
    return _extreme("min", min, (x, *xs))


@primitive("max")
def maximum(x: Any, *xs: Any) -> Number:
    return _extreme("max", max, (x, *xs))


def _extreme(proc: str, pick: Callable[..., Number], args: tuple[Any, ...]) -> Number:
    """min or max; the result is inexact if any argument is (R7RS)."""
    numbers = [check_number(proc, value, position) for position, value in enumerate(args, 1)]
    if any(type(n) is float for n in numbers):
        if any(n != n for n in numbers):
            return math.nan
        return to_float(pick(numbers))
    return pick(numbers)


@primitive("square")
def square(z: Any) -> Number:
    check_number("square", z, 1)
    return _fold("square", operator.mul, z, (z,), 1, _check_product)


# --- powers, roots, logarithms -----------------------------------------------------------


@primitive("expt")
def expt(base: Any, power: Any) -> Number:
    check_number("expt", base, 1)
    check_number("expt", power, 2)
    if type(power) is int and type(base) is not float:
        return _exact_power(base, power)
    return _inexact_power(base, power)


def _inexact_power(base: Number, power: Number) -> float:
    """base^power as a float. A negative base to an odd integer power keeps its sign (-2.0
    to 10^400+1 is -inf.0); a positive exact base too large for a float goes through its
    logarithm (10^400 to 0.5 is 1e200); other exact numbers too large count as infinite."""
    x, y = to_float(base), to_float(power)
    if x < 0 and math.isfinite(y) and not y.is_integer():
        raise _no_complex("expt", base, power)
    odd = power % 2 == 1 if type(power) is int else y.is_integer() and int(y) % 2 == 1
    try:
        if math.isinf(x) and type(base) is not float and base > 0:
            return math.exp(y * _natural_log(base, 1))
        result = math.pow(x, y)
    except OverflowError:
        result = math.inf
    except ValueError:  # zero to a negative power: IEEE 754 makes it infinite
        result = math.inf
    return -abs(result) if odd and math.copysign(1.0, x) < 0 else result


def _log2(n: int) -> float:
    """The bits per factor of `n` in a power of it: 0 for 0 and 1, whose powers stay small."""
    return math.log2(abs(n)) if abs(n) > 1 else 0.0


def _exact_power(base: int | Fraction, power: int) -> Number:
    if power < 0 and base == 0:
        raise SchemeError("expt: division by zero (0 raised to a negative power)")
    per_factor = _log2(base.numerator) + _log2(base.denominator)  # 0, or at least 1
    check_exact_size("expt", math.ceil(min(abs(power), MAX_EXACT_BITS + 1) * per_factor))
    if power < 0:
        return normalize(Fraction(base) ** power)
    return base**power


@primitive("rationalize")
def rationalize(x: Any, y: Any) -> Number:
    """The simplest rational within `y` of `x`; inexact if either argument is."""
    x, y = check_number("rationalize", x, 1), check_number("rationalize", y, 2)
    inexact = type(x) is float or type(y) is float
    if inexact and (_not_finite(x) or _not_finite(y)):
        if x != x or y != y or (_not_finite(x) and _not_finite(y)):
            return math.nan
        return 0.0 if _not_finite(y) else to_float(x)
    radius = abs(Fraction(y))
    simplest = _simplest_between(Fraction(x) - radius, Fraction(x) + radius)
    return to_float(simplest) if inexact else normalize(simplest)


def _not_finite(x: Number) -> bool:
    """An infinity or NaN (exact numbers, however large, are finite)."""
    return type(x) is float and not math.isfinite(x)


def _simplest_between(low: Fraction, high: Fraction) -> Fraction:
    if low > 0:
        return _simplest_positive(low, high)
    if high < 0:
        return -_simplest_positive(-high, -low)
    return Fraction(0)


def _simplest_positive(low: Fraction, high: Fraction) -> Fraction:
    """The rational with the smallest denominator in [low, high], 0 < low <= high
    (the continued-fraction walk down the Stern-Brocot tree)."""
    whole = math.floor(low)
    if whole == low:
        return Fraction(whole)
    if whole < math.floor(high):
        return Fraction(whole + 1)
    return whole + 1 / _simplest_positive(1 / (high - whole), 1 / (low - whole))


@primitive("exact-integer-sqrt")
def exact_integer_sqrt(k: Any) -> Values:
    if type(k) is not int or k < 0:
        raise type_error("exact-integer-sqrt", "an exact non-negative integer", k, 1)
    root = _integer_root("exact-integer-sqrt", k)
    return Values((root, k - root * root))


@primitive("sqrt")
def sqrt(z: Any) -> Number:
    check_number("sqrt", z, 1)
    if z < 0:
        raise _no_complex("sqrt", z)
    if type(z) is int:
        root = _integer_root("sqrt", z)
        return root if root * root == z else _inexact_sqrt(z)
    if type(z) is Fraction:
        top, bottom = _integer_root("sqrt", z.numerator), _integer_root("sqrt", z.denominator)
        if top * top == z.numerator and bottom * bottom == z.denominator:
            return Fraction(top, bottom)
    return _inexact_sqrt(z)


def _inexact_sqrt(x: Number) -> float:
    try:
        return math.sqrt(x)
    except OverflowError:  # an exact number too large for a float
        return to_float(_integer_root("sqrt", math.floor(x)))


@primitive("exp")
def exp(z: Any) -> float:
    try:
        return math.exp(to_float(check_number("exp", z, 1)))
    except OverflowError:
        return math.inf


@primitive("log")
def log(z: Any, base: Any = None) -> float:
    result = _natural_log(z, 1)
    if base is None:
        return result
    divisor = _natural_log(base, 2)
    return result / divisor if divisor else _ieee_divide_by_zero(result, divisor)


def _natural_log(x: Any, position: int) -> float:
    check_number("log", x, position)
    if x < 0:
        raise _no_complex("log", x)
    if x == 0:
        return -math.inf
    if type(x) is Fraction:  # exact, so very small or large ratios keep their precision
        return math.log(x.numerator) - math.log(x.denominator)
    return math.log(x)


def _float_function(name: str, fn: Callable[[float], float]) -> None:
    """Register a one-argument function of the reals; out-of-domain finite inputs are errors."""

    def procedure(z: Any) -> float:
        x = to_float(check_number(name, z, 1))
        try:
            return fn(x)
        except ValueError:
            if math.isinf(x):
                return math.nan
            raise _no_complex(name, z) from None

    primitive(name)(procedure)


for _name, _fn in {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
}.items():
    _float_function(_name, _fn)


@primitive("atan")
def atan(y: Any, x: Any = None) -> float:
    y_float = to_float(check_number("atan", y, 1))
    if x is None:
        return math.atan(y_float)
    return math.atan2(y_float, to_float(check_number("atan", x, 2)))


# --- rounding ----------------------------------------------------------------------------


def _rounding(name: str, to_integer: Callable[[Any], int]) -> None:
    """Register a rounding procedure; exact in, exact out; -0.5 rounds to -0.0."""

    def procedure(x: Any) -> Number:
        kind = type(x)
        if kind is int:
            return x
        if kind is Fraction:
            return to_integer(x)
        if kind is float:
            return math.copysign(float(to_integer(x)), x) if math.isfinite(x) else x
        raise type_error(name, "a real number", x, 1)

    primitive(name)(procedure)


# Python's round() rounds halves to even, as R7RS's round does.
for _name, _fn in {
    "floor": math.floor,
    "ceiling": math.ceil,
    "round": round,
    "truncate": math.trunc,
}.items():
    _rounding(_name, _fn)


# --- predicates --------------------------------------------------------------------------


@primitive("number?")
def is_number(obj: Any) -> bool:
    return type(obj) in NUMBER_TYPES


alias("complex?", is_number)
alias("real?", is_number)


@primitive("rational?")
def is_rational(obj: Any) -> bool:
    kind = type(obj)
    return kind is int or kind is Fraction or (kind is float and math.isfinite(obj))


@primitive("integer?")
def is_integer(obj: Any) -> bool:
    kind = type(obj)
    return kind is int or (kind is float and obj.is_integer())


@primitive("exact-integer?")
def is_exact_integer(obj: Any) -> bool:
    return type(obj) is int


def _number_predicate(name: str, test: Callable[[Number], bool]) -> None:
    """Register a predicate that is an error on non-numbers, like `zero?`."""

    def predicate(z: Any) -> bool:
        return test(check_number(name, z, 1))

    primitive(name)(predicate)


for _name, _test in {
    "exact?": lambda z: type(z) is not float,
    "inexact?": lambda z: type(z) is float,
    "nan?": lambda z: z != z,
    "infinite?": lambda z: type(z) is float and math.isinf(z),
    "finite?": lambda z: type(z) is not float or math.isfinite(z),
    "zero?": lambda z: z == 0,
    "positive?": lambda z: z > 0,
    "negative?": lambda z: z < 0,
}.items():
    _number_predicate(_name, _test)


@primitive("odd?")
def is_odd(n: Any) -> bool:
    return _check_integer("odd?", n, 1)[0] % 2 == 1


@primitive("even?")
def is_even(n: Any) -> bool:
    return _check_integer("even?", n, 1)[0] % 2 == 0


# --- exactness and parts -----------------------------------------------------------------


@primitive("exact")
def exact(z: Any) -> int | Fraction:
    check_number("exact", z, 1)
    if type(z) is not float:
        return z
    if not math.isfinite(z):
        raise SchemeError(f"exact: {format_number(z)} has no exact counterpart")
    return normalize(Fraction(z))


@primitive("inexact")
def inexact(z: Any) -> float:
    return to_float(check_number("inexact", z, 1))


alias("inexact->exact", exact)
alias("exact->inexact", inexact)


def _rational_part(name: str, part: Callable[[Fraction], int]) -> None:
    """Register `numerator` or `denominator`, which also work on inexact rationals."""

    def procedure(q: Any) -> Number:
        kind = type(q)
        if kind is int or kind is Fraction:
            return part(Fraction(q))
        if kind is float and math.isfinite(q):
            return to_float(part(Fraction(q)))
        raise type_error(name, "a rational number", q, 1)

    primitive(name)(procedure)


_rational_part("numerator", lambda q: q.numerator)
_rational_part("denominator", lambda q: q.denominator)


# --- text --------------------------------------------------------------------------------


def _check_radix(proc: str, radix: Any) -> int:
    if radix in RADIXES and type(radix) is int:
        return radix
    raise type_error(proc, "a radix of 2, 8, 10 or 16", radix, 2)


@primitive("number->string")
def number_to_string(z: Any, radix: Any = 10) -> MutableString:
    check_number("number->string", z, 1)
    radix = _check_radix("number->string", radix)
    if type(z) is float and radix != 10:
        raise SchemeError("number->string: inexact numbers can only be written in radix 10")
    return MutableString(format_number(z, radix))


@primitive("string->number")
def string_to_number(string: Any, radix: Any = 10) -> Number | bool:
    text = string_text(string)
    if text is None:
        raise type_error("string->number", "a string", string, 1)
    value = parse_number(text, _check_radix("string->number", radix))
    return False if value is None else value


# --- random ------------------------------------------------------------------------------


@primitive("random")
def random(limit: Any) -> Number:
    """`(random 10)` is an exact integer from 0 to 9; `(random 1.0)` a float below 1.0."""
    if type(limit) is int and limit > 0:
        return _random.randrange(limit)
    if type(limit) is float and limit > 0:
        return _random.random() * limit
    raise type_error("random", "a positive number", limit, 1)
