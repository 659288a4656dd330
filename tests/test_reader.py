"""The reader's limits and errors: every mistake in program text is a located syntax error."""

from __future__ import annotations

import time

import pytest

from interpreter import Interpreter
from interpreter.errors import SchemeSyntaxError
from interpreter.lang.printer import write_string
from interpreter.lang.reader import MAX_NESTING_DEPTH, read_all

BAD_TEXTS = [
    ("string-escape-past-unicode", '"\\x110000;"', "not a Unicode scalar value"),
    ("string-escape-huge", '"\\xFFFFFFFF;"', "not a Unicode scalar value"),
    ("char-past-unicode", "#\\x110000", "not a Unicode scalar value"),
    ("char-huge", "#\\xFFFFFFFF", "not a Unicode scalar value"),
    ("char-enormous", "#\\xFFFFFFFFFFFFFFFFFFFFFFFF", "not a Unicode scalar value"),
    ("bar-symbol-past-unicode", "'|\\x110000;|", "not a Unicode scalar value"),
    ("string-escape-surrogate", '"\\xD800;"', "not a Unicode scalar value"),
    ("char-surrogate", "#\\xDFFF", "not a Unicode scalar value"),
    ("unquote-of-datum-comment", ",#;e", "must be followed by a datum"),
    ("lone-quote", "'", "must be followed by a datum"),
    ("dot-then-vertical-tab", ".\v", "'.' is only allowed inside a list"),
    ("stray-closer-then-open-string", ') "abc', "unexpected ')'"),
    ("dot-then-unknown-hash", ". #bogus", "'.' is only allowed inside a list"),
]


@pytest.mark.parametrize(("text", "fragment"), [pytest.param(t, f, id=i) for i, t, f in BAD_TEXTS])
def test_bad_text_is_a_located_syntax_error(text: str, fragment: str) -> None:
    with pytest.raises(SchemeSyntaxError) as caught:
        Interpreter().eval_scheme(text)
    assert fragment in caught.value.message
    assert caught.value.span is not None and caught.value.span.line == 1


def test_exact_decimal_with_a_large_exponent_reads() -> None:
    assert Interpreter().eval_scheme("(= #e1e400 (expt 10 400))") is True


def nested(depth: int) -> str:
    """`(length '(((...))))` whose deepest list is `depth` levels down, counting the quote."""
    inner = depth - 2
    return "(length '" + "(" * inner + ")" * inner + ")"


def test_nesting_up_to_the_documented_depth_reads() -> None:
    assert Interpreter().eval(nested(MAX_NESTING_DEPTH)) == 1


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(nested(MAX_NESTING_DEPTH + 1), id="one-too-deep"),
        pytest.param("(list " * 100_000 + ")" * 100_000, id="nested-calls"),
        pytest.param("(" * 100_000, id="never-closed"),
        pytest.param("'" * 100_000 + "x", id="quotes"),
        pytest.param("(read (open-input-string (make-string 100000 #\\()))", id="read-from-port"),
    ],
)
def test_nesting_past_the_limit_is_a_syntax_error_where_it_gets_too_deep(text: str) -> None:
    with pytest.raises(SchemeSyntaxError) as caught:
        Interpreter().eval_scheme(text)
    assert f"nested more than {MAX_NESTING_DEPTH} deep" in caught.value.message
    assert caught.value.span.line == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("'(|x#| 1)", "(x# 1)", id="bar-symbol-ending-in-hash"),
        pytest.param("'(|#| 1)", "(|#| 1)", id="bar-symbol-of-hash"),
        pytest.param("'(|a|#| comment |# b)", "(a b)", id="comment-right-after-bar-symbol"),
        pytest.param("'(|\\|#| 1)", "(|\\|#| 1)", id="escaped-bar-then-hash"),
        pytest.param("'(#;(a) #| b |# 1)", "(1)", id="comment-after-datum-comment"),
        pytest.param("'(#;#| b |# 2 1)", "(1)", id="datum-comment-of-block-comment"),
        pytest.param("'(#\\; #| b |# 1)", "(#\\; 1)", id="comment-after-semicolon-char"),
    ],
)
def test_bars_and_block_comments_are_told_apart(text: str, expected: str) -> None:
    """`#|` or `|#` inside a |symbol| is part of its name, not a block comment."""
    assert write_string(Interpreter().eval_scheme(text)) == expected


@pytest.mark.parametrize("text", ["a \ud800", '"\udfff"', "|\ud800|", "#\\\ud800", "; \ud800\n1"])
def test_a_lone_surrogate_in_text_is_a_syntax_error(text: str) -> None:
    """Characters are Unicode scalar values, however the text reached the reader."""
    with pytest.raises(SchemeSyntaxError, match="lone surrogate #\\\\x"):
        read_all(text)


def test_read_of_a_lone_surrogate_from_a_port_is_a_syntax_error() -> None:
    with pytest.raises(SchemeSyntaxError, match="lone surrogate #\\\\xd800"):
        Interpreter().eval_scheme('(read (open-input-string (json->scheme "\\"a\\\\ud800\\"")))')


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param(",@(", "never closed", id="unquote-splicing-before-open"),
        pytest.param("(define x 1) '#(1", "never closed", id="quote-before-vector"),
        pytest.param("'(a ]", "closes the '('", id="quote-before-mismatch"),
        pytest.param("1 ' )", "unexpected ')'", id="quote-before-stray-closer"),
        pytest.param("#; (a", "never closed", id="datum-comment-before-open"),
        pytest.param('type . "string")', "'.' is only allowed", id="top-dot-before-stray"),
        pytest.param(". (a", "'.' is only allowed", id="top-dot-before-unclosed"),
        pytest.param("(a . b c)", "unexpected 'c'", id="dotted-tail-then-more"),
    ],
)
def test_check_reports_unbalanced_text_after_a_prefix(text: str, fragment: str) -> None:
    """`check` reads the forms before the broken one; a quote or `#;` belongs to the
    datum it prefixes, so it is not left behind to be read alone, and a mistake the parser
    met before a bracket problem is the one reported."""
    errors = Interpreter().check(text, "<check>")
    assert [type(error) for error in errors] == [SchemeSyntaxError]
    assert fragment in errors[0].message


def test_a_block_comment_costs_no_scan_of_a_long_string_before_it():
    """Block comments are found by regular expressions: a file holding one reads a long
    string literal about as fast as a file without."""
    literal = '"' + "abcdefgh" * 250_000 + '"'

    def cpu_seconds(text: str) -> float:
        start = time.process_time()
        assert len(read_all(text)) == 2
        return time.process_time() - start

    plain = min(cpu_seconds(literal + " 1") for _ in range(3))
    commented = min(cpu_seconds(literal + " #| a |# 1") for _ in range(3))
    assert commented < 1.25 * plain + 0.01, (commented, plain)
