"""R7RS 2 and 7.1.1: lexical conventions: comments, directives, identifiers, numbers."""

from casekit import Raises, cases, check

ROWS = [
    ("datum-comment-in-list", "'(a #;b c)", "(a c)"),
    ("datum-comment-after-dot", "'(a . #;b c)", "(a . c)"),
    ("datum-comment-nested", "'(a #; #;b c d)", "(a d)"),
    ("datum-comment-before-close", "'(a . b #;c)", "(a . b)"),
    ("datum-comment-after-quote", "'#;a b", "b"),
    ("datum-comment-in-vector", "#(1 #;2 3)", "#(1 3)"),
    ("datum-comment-of-a-list", "'(1 #;(2 (3)) 4)", "(1 4)"),
    ("datum-comment-at-end", "'ok #;(dropped)", "ok"),
    ("datum-comment-before-dot-datum", "'(a #;b . c)", "(a . c)"),
    ("dot-needs-a-head", "'(#;a . b)", Raises("syntax-error", "before the dot")),
    ("datum-comment-needs-datum", "'(a #;)", Raises("syntax-error", "unexpected ')'")),
    ("fold-case", "#!fold-case '(Hello WORLD)", "(hello world)"),
    ("fold-case-char-names", "#!fold-case (list #\\SPACE #\\A)", "(#\\space #\\A)"),
    ("fold-case-not-bar-symbols", "#!fold-case '|Keep|", "Keep"),
    ("no-fold-case", "#!fold-case 'A #!no-fold-case 'B", "B"),
    ("fold-case-then-define", "#!fold-case (DEFINE X 1) x", "1"),
    ("case-sensitive-by-default", "(eq? 'abc 'ABC)", "#f"),
    (
        "exponent-marker",
        "(list 1e3 1E3 1.5e-3 -2.5E+2 .5e1 1.e2)",
        "(1000.0 1000.0 0.0015 -250.0 5.0 100.0)",
    ),
    ("exact-exponent", "(list #e1e3 #e1.5e2 #e1e400)", "(1000 150 " + "1" + "0" * 400 + ")"),
    ("vertical-tab-is-whitespace", "'(a\vb)", "(a b)"),
    ("block-comment", "'(a #| skipped #| nested |# |# b)", "(a b)"),
]


@cases(ROWS)
def test_lexical_conventions(program, expected):
    check(program, expected)
