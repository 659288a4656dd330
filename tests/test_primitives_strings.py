"""Character and string primitives, called from Python."""

import pytest

from interpreter.errors import SchemeError, SchemeTypeError
from interpreter.lang.datums import NIL, Char, Symbol, frozen, python_to_list
from interpreter.lang.primitives import all_primitives

P = all_primitives()


def call(name, *args):
    """The primitive's result; a string it made (mutable) as its text, to compare."""
    return frozen(P[name](*args))


def chars(text):
    return [Char(c) for c in text]


def test_char_conversions_and_classes():
    assert call("char->integer", Char("A")) == 65
    assert call("integer->char", 0x3BB) == Char("λ")
    assert call("char-upcase", Char("a")) == Char("A")
    assert call("char-upcase", Char("ß")) == Char("ß")  # its upper case is two characters
    assert call("char-downcase", Char("\u03a3")) == Char("\u03c3")  # Greek sigma
    assert call("char-alphabetic?", Char("é")) is True
    assert call("char-numeric?", Char("7")) is True
    assert call("char-whitespace?", Char("\t")) is True
    assert call("char-upper-case?", Char("a")) is False
    assert call("digit-value", Char("٣")) == 3
    assert call("digit-value", Char("x")) is False


def test_char_comparisons():
    assert call("char<?", *chars("abc")) is True
    assert call("char<?", *chars("aba")) is False
    assert call("char-ci=?", Char("a"), Char("A")) is True
    assert call("char>=?", Char("b"), Char("b")) is True
    with pytest.raises(
        SchemeTypeError, match=r'char<\?: expected a character as argument 2, got "b"'
    ):
        call("char<?", Char("a"), "b")


def test_integer_to_char_range():
    with pytest.raises(SchemeError, match="55296 is not a Unicode scalar value"):
        call("integer->char", 0xD800)
    with pytest.raises(SchemeError, match="not a Unicode scalar value"):
        call("integer->char", 0x110000)
    with pytest.raises(SchemeTypeError):
        call("integer->char", Char("a"))


def test_basic_strings():
    assert call("string-length", "héllo") == 5
    assert call("string-ref", "abc", 1) == Char("b")
    assert call("substring", "hello", 1, 3) == "el"
    assert call("substring", "hello", 2) == "llo"
    assert call("string-copy", "hello", 1) == "ello"
    assert call("string-append", "a", "b", "c") == "abc"
    assert call("string", *chars("hi")) == "hi"
    assert call("make-string", 3, Char("x")) == "xxx"
    assert call("make-string", 2) == "  "
    assert call("string-null?", "") is True
    assert call("string-upcase", "abc") == "ABC"
    assert call("string-foldcase", "Straße") == "strasse"


def test_string_sequence_conversions():
    assert list(call("string->list", "abc", 1)) == chars("bc")
    assert call("list->string", python_to_list(chars("ab"))) == "ab"
    assert call("string->vector", "ab") == chars("ab")
    assert call("vector->string", tuple(chars("abc")), 0, 2) == "ab"
    with pytest.raises(SchemeTypeError, match="list->string: expected a sequence of characters"):
        call("list->string", python_to_list(["a"]))


def test_string_comparisons():
    assert call("string<?", "apple", "banana", "cherry") is True
    assert call("string=?", "a", "a", "b") is False
    assert call("string-ci=?", "ABC", "abc") is True
    with pytest.raises(SchemeTypeError, match=r"string=\?: expected a string as argument 1, got a"):
        call("string=?", Symbol("a"), "a")


def test_index_and_range_errors():
    with pytest.raises(
        SchemeError,
        match=r"string-ref: index 3 is out of range for a string of length 3 \(valid indexes are 0 to 2\)",
    ):
        call("string-ref", "abc", 3)
    with pytest.raises(SchemeError, match="the string is empty"):
        call("string-ref", "", 0)
    with pytest.raises(
        SchemeError, match=r"substring: range 2 to 9 is out of bounds for a string of length 5"
    ):
        call("substring", "hello", 2, 9)
    with pytest.raises(SchemeError, match="substring: range 3 to 1"):
        call("substring", "hello", 3, 1)
    with pytest.raises(
        SchemeTypeError,
        match="substring: expected an exact integer start index as argument 2, got #f",
    ):
        call("substring", "hello", False)
    with pytest.raises(
        SchemeTypeError, match="string-length: expected a string as argument 1, got 5"
    ):
        call("string-length", 5)
    with pytest.raises(SchemeTypeError, match="string-append: expected a string as argument 2"):
        call("string-append", "a", Char("b"))


def test_string_literals_are_constants():
    for name, args in [
        ("string-set!", ("abc", 0, Char("x"))),
        ("string-fill!", ("abc", Char("x"))),
        ("string-copy!", ("abc", 0, "x")),
    ]:
        with pytest.raises(SchemeTypeError, match=f'{name}: cannot change "abc": it is a literal'):
            call(name, *args)


def split(*args):
    return [frozen(piece) for piece in list(call("string-split", *args))]


def test_library_primitives():
    assert call("string-search", "lo", "hello") == 3
    assert call("string-search", Char("l"), "hello", 3) == 3
    assert call("string-search", "z", "hello") is False
    assert call("string-contains", "hello", "lo") == 3
    assert split("a,b,,c", ",") == ["a", "b", "", "c"]
    assert split("a b", Char(" ")) == ["a", "b"]
    assert split("  two \n words ") == ["two", "words"]
    assert call("string-join", python_to_list(["a", "b"]), ", ") == "a, b"
    assert call("string-join", python_to_list(["a", "b"])) == "a b"
    assert call("string-join", NIL, ",") == ""
    assert call("string-trim", "  hi \n") == "hi"
    assert call("string-trim", "xxhixx", "x") == "hi"
    assert call("string-trim-left", "  hi ") == "hi "
    assert call("string-trim-right", "  hi ") == "  hi"
    assert call("string-replace", "a-b-c", "-", "+") == "a+b+c"
    assert call("string-prefix?", "he", "hello") is True
    assert call("string-suffix?", "lo", "hello") is True
    with pytest.raises(SchemeError, match="string-split: the separator must not be empty"):
        call("string-split", "abc", "")
    with pytest.raises(SchemeTypeError, match="string-join: expected a list of strings"):
        call("string-join", python_to_list(["a", 1]), ",")
    with pytest.raises(
        SchemeTypeError, match="string-contains: expected a string as argument 1, got 5"
    ):
        call("string-contains", 5, "x")
    with pytest.raises(
        SchemeError,
        match=r"string-search: start index 9 is out of range for a string of length 5 \(valid: 0 to 5\)",
    ):
        call("string-search", "a", "hello", 9)
