"""R7RS 6.6: characters."""

from casekit import Raises, cases, check

ROWS = [
    ("char-literal", "#\\a", "#\\a"),
    ("char-upper", "#\\A", "#\\A"),
    ("char-paren", "#\\(", "#\\("),
    ("char-space", "#\\space", "#\\space"),
    ("char-newline", "#\\newline", "#\\newline"),
    (
        "char-named",
        "(list #\\alarm #\\backspace #\\delete #\\escape #\\null #\\return #\\tab)",
        "(#\\alarm #\\backspace #\\delete #\\escape #\\null #\\return #\\tab)",
    ),
    ("char-hex", "#\\x41", "#\\A"),
    ("char-hex-lambda", "#\\x3bb", "#\\x3bb"),
    ("char-unicode-literal", "(char->integer #\\λ)", "955"),
    ("char-delimiters", "(list #\\; #\\\" #\\\\ #\\')", "(#\\; #\\\" #\\\\ #\\')"),
    ("char-unknown-name", "#\\bogus", Raises("syntax-error", "unknown character name")),
    ("char-predicate", '(list (char? #\\a) (char? "a") (char? 97))', "(#t #f #f)"),
    ("char-to-integer", "(char->integer #\\a)", "97"),
    ("integer-to-char", "(integer->char 955)", "#\\x3bb"),
    ("char-integer-round-trip", "(char->integer (integer->char 5000))", "5000"),
    ("char-less-chain", "(char<? #\\a #\\b #\\c)", "#t"),
    (
        "char-comparisons",
        "(list (char=? #\\a #\\a) (char>? #\\b #\\a) (char<=? #\\a #\\a #\\b) (char>=? #\\a #\\b))",
        "(#t #t #t #f)",
    ),
    ("char-ci-equal", "(char-ci=? #\\a #\\A)", "#t"),
    ("char-ci-less", "(char-ci<? #\\a #\\B)", "#t"),
    ("char-compare-type-error", '(char<? #\\a "b")', Raises("type-error", "char<?")),
    (
        "char-alphabetic",
        "(list (char-alphabetic? #\\a) (char-alphabetic? #\\3) (char-alphabetic? #\\λ))",
        "(#t #f #t)",
    ),
    ("char-numeric", "(list (char-numeric? #\\1) (char-numeric? #\\a))", "(#t #f)"),
    (
        "char-whitespace",
        "(list (char-whitespace? #\\space) (char-whitespace? #\\newline) (char-whitespace? #\\a))",
        "(#t #t #f)",
    ),
    (
        "char-case-predicates",
        "(list (char-upper-case? #\\A) (char-lower-case? #\\a) (char-upper-case? #\\a))",
        "(#t #t #f)",
    ),
    (
        "digit-value",
        "(list (digit-value #\\3) (digit-value #\\x0664) (digit-value #\\x0AE6) (digit-value #\\a))",
        "(3 4 0 #f)",
    ),
    ("char-upcase", "(char-upcase #\\a)", "#\\A"),
    ("char-upcase-lambda", "(char-upcase #\\λ)", "#\\x39b"),
    ("char-downcase", "(char-downcase #\\A)", "#\\a"),
    ("char-foldcase", "(char-foldcase #\\A)", "#\\a"),
    ("char-upcase-non-letter", "(char-upcase #\\1)", "#\\1"),
]


@cases(ROWS)
def test_characters(program, expected):
    check(program, expected)
