"""How numbers are spelled: parsing numeric text and writing numbers, in the radixes R7RS allows.

Shared by the printer, `number->string`/`string->number` and the JSON reader. Python refuses
to convert integers of more than 4300 decimal digits to and from text (a guard against slow
conversions of untrusted input); integers here are arbitrary size, so long decimal
conversions are made here, by halves: each half converted on its own and the two joined
by one multiplication, which Python and `decimal` do in less than quadratic time. A
conversion in one piece takes time growing with the square of the length, in one C call
that no deadline interrupts (a million digits took 14 seconds, 27 to read back).
"""

from __future__ import annotations

import decimal
import math
import re
from fractions import Fraction

from interpreter.errors import AllocationLimitError

RADIXES = (2, 8, 10, 16)

_DIGITS = {2: "[01]", 8: "[0-7]", 10: "[0-9]", 16: "[0-9a-fA-F]"}
_INTEGER = {radix: re.compile(rf"[+-]?{d}+") for radix, d in _DIGITS.items()}
_RATIONAL = {radix: re.compile(rf"([+-]?{d}+)/({d}+)") for radix, d in _DIGITS.items()}
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SPECIAL = {"+inf.0": math.inf, "-inf.0": -math.inf, "+nan.0": math.nan, "-nan.0": math.nan}
_RADIX_PREFIX = {"x": 16, "o": 8, "b": 2, "d": 10}
_FORMAT_CODE = {2: "b", 8: "o", 16: "x"}

# Python's own int<->str conversion is fine (and faster) below this size.
_SMALL_DIGITS = 4000
_SMALL_BITS = 13000
_UNLIMITED = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)

# The most bits an exact number may have (numbers.py says why).
MAX_EXACT_BITS = 1 << 23
_BITS_PER_DIGIT = {radix: math.log2(radix) for radix in RADIXES}


def check_exact_size(proc: str, bits: int) -> None:
    """Refuse to make an exact number of `bits` bits, past MAX_EXACT_BITS, before making it."""
    if bits > MAX_EXACT_BITS:
        raise AllocationLimitError(
            f"{proc}: the result would be too large: exact numbers are limited to "
            f"{MAX_EXACT_BITS:,} bits (about {MAX_EXACT_BITS * 30103 // 100000:,} digits)"
        )


def parse_number(text: str, radix: int = 10) -> int | Fraction | float | None:
    """The number `text` spells (prefixes `#x #o #b #d #e #i` allowed), or None if it is none."""
    exactness = None
    radix_given = False
    while text[:1] == "#":
        flag = text[1:2].lower()
        if flag in _RADIX_PREFIX and not radix_given:
            radix, radix_given = _RADIX_PREFIX[flag], True
        elif flag in ("e", "i") and exactness is None:
            exactness = flag
        else:
            return None
        text = text[2:]
    if (
        exactness == "e"
        and radix == 10
        and _DECIMAL.fullmatch(text)
        and not _INTEGER[10].fullmatch(text)
    ):
        return _exact_decimal(text)
    value = _parse_real(text, radix)
    if value is None or exactness is None:
        return value
    if exactness == "i":
        return to_float(value)
    if type(value) is float:
        return None  # +inf.0 and +nan.0 have no exact counterpart
    return value


def _parse_real(text: str, radix: int) -> int | Fraction | float | None:
    if _INTEGER[radix].fullmatch(text):
        return parse_integer(text, radix)
    match = _RATIONAL[radix].fullmatch(text)
    if match:
        denominator = parse_integer(match.group(2), radix)
        if denominator == 0:
            return None
        return normalize(Fraction(parse_integer(match.group(1), radix), denominator))
    special = _SPECIAL.get(text.lower())
    if special is not None:
        return special
    if radix == 10 and _DECIMAL.fullmatch(text):
        return float(text)
    return None


def _exact_decimal(text: str) -> int | Fraction | None:
    """`#e1.5` is 3/2; refuse exponents so large the exact value would not fit in memory."""
    exponent = text.lower().partition("e")[2]
    if exponent and (len(exponent) > 7 or abs(int(exponent)) > 100_000):
        return None
    return normalize(Fraction(_UNLIMITED.create_decimal(text)))


def parse_integer(digits: str, radix: int = 10) -> int:
    """`int(digits, radix)` without Python's limit on long decimal strings; an integer
    past MAX_EXACT_BITS is refused before it is read."""
    check_exact_size("reading a number", math.ceil(len(digits) * _BITS_PER_DIGIT[radix]))
    if radix != 10 or len(digits) < _SMALL_DIGITS:
        return int(digits, radix)
    magnitude = _decimal_digits_value(digits.lstrip("+-"), {})
    return -magnitude if digits.startswith("-") else magnitude


def _decimal_digits_value(digits: str, powers: dict[int, int]) -> int:
    if len(digits) < _SMALL_DIGITS:
        return int(digits)
    half = len(digits) // 2
    if half not in powers:
        powers[half] = 10**half
    high = _decimal_digits_value(digits[:-half], powers)
    return high * powers[half] + _decimal_digits_value(digits[-half:], powers)


def normalize(value: Fraction) -> int | Fraction:
    """A Fraction with denominator 1 is the integer it equals."""
    return value.numerator if value.denominator == 1 else value


def to_float(value: int | Fraction | float) -> float:
    """The inexact number nearest to `value`; exact numbers too large for a float become infinite."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def format_number(value: int | Fraction | float, radix: int = 10) -> str:
    """`value` written in `radix` (inexact numbers only in radix 10)."""
    kind = type(value)
    if kind is int:
        return _format_integer(value, radix)
    if kind is Fraction:
        return (
            f"{_format_integer(value.numerator, radix)}/{_format_integer(value.denominator, radix)}"
        )
    if value != value:
        return "+nan.0"
    if value in (math.inf, -math.inf):
        return "+inf.0" if value > 0 else "-inf.0"
    return repr(value)


def leading_digits(value: int, count: int) -> str:
    """The first `count` characters of `value` written in decimal, without writing all of
    it (which takes time growing faster than its length)."""
    magnitude = abs(value)
    dropped = max(0, (magnitude.bit_length() - 1) * 30103 // 100000 - count)
    return (("-" if value < 0 else "") + str(magnitude // 10**dropped))[:count]


def _format_integer(value: int, radix: int) -> str:
    if radix != 10:
        return format(value, _FORMAT_CODE[radix])
    if value.bit_length() < _SMALL_BITS:
        return str(value)
    magnitude = str(_as_decimal(abs(value), abs(value).bit_length(), {}))
    return "-" + magnitude if value < 0 else magnitude


def _as_decimal(value: int, bits: int, powers: dict[int, decimal.Decimal]) -> decimal.Decimal:
    """`value`, of at most `bits` bits, as an exact Decimal."""
    if bits < _SMALL_BITS:
        return decimal.Decimal(value)
    half = bits // 2
    if half not in powers:
        powers[half] = _UNLIMITED.power(2, half)
    high = value >> half
    low = value - (high << half)
    return _UNLIMITED.add(
        _UNLIMITED.multiply(_as_decimal(high, bits - half, powers), powers[half]),
        _as_decimal(low, half, powers),
    )
