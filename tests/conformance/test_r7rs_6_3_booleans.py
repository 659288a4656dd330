"""R7RS 6.3: booleans."""

from casekit import cases, check

ROWS = [
    ("true-literal", "#t", "#t"),
    ("false-literal", "#f", "#f"),
    ("long-true", "#true", "#t"),
    ("long-false", "#false", "#f"),
    ("quoted-false", "'#f", "#f"),
    ("not-true", "(not #t)", "#f"),
    ("not-number", "(not 3)", "#f"),
    ("not-list", "(not (list 3))", "#f"),
    ("not-false", "(not #f)", "#t"),
    ("not-empty-list", "(not '())", "#f"),
    ("not-list-procedure", "(not (list))", "#f"),
    ("not-symbol", "(not 'nil)", "#f"),
    ("boolean-false", "(boolean? #f)", "#t"),
    ("boolean-zero", "(boolean? 0)", "#f"),
    ("boolean-empty-list", "(boolean? '())", "#f"),
    ("boolean-equal-two", "(boolean=? #t #t)", "#t"),
    ("boolean-equal-differs", "(boolean=? #t #f)", "#f"),
    ("boolean-equal-many", "(boolean=? #f #f #f)", "#t"),
    (
        "only-false-is-false",
        "(map (lambda (x) (if x 'true 'false)) (list 0 \"\" '() (vector) #f))",
        "(true true true true false)",
    ),
]


@cases(ROWS)
def test_booleans(program, expected):
    check(program, expected)
