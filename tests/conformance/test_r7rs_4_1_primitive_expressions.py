"""R7RS 4.1: variable references, literals, procedure calls, lambda, if, assignment."""

from casekit import Raises, cases, check

ROWS = [
    # 4.1.1 variable references
    ("variable-reference", "(define x 28) x", "28"),
    (
        "unbound-variable",
        "undefined-variable-xyz",
        Raises("unbound-variable", "undefined-variable-xyz"),
    ),
    (
        "unbound-suggests-close-name",
        "(define counter 1) countr",
        Raises("unbound-variable", "did you mean counter?"),
    ),
    # 4.1.2 literal expressions
    ("quote-symbol", "(quote a)", "a"),
    ("quote-vector", "(quote #(a b c))", "#(a b c)"),
    ("quote-list", "(quote (+ 1 2))", "(+ 1 2)"),
    ("quote-abbreviation-symbol", "'a", "a"),
    ("quote-abbreviation-vector", "'#(a b c)", "#(a b c)"),
    ("quote-empty-list", "'()", "()"),
    ("quote-abbreviation-list", "'(+ 1 2)", "(+ 1 2)"),
    ("quote-of-quote", "'(quote a)", "(quote a)"),
    ("quote-quote-abbreviation", "''a", "(quote a)"),
    ("string-self-evaluates", '"abc"', '"abc"'),
    ("quoted-string", '\'"abc"', '"abc"'),
    ("number-self-evaluates", "145932", "145932"),
    ("quoted-number", "'145932", "145932"),
    ("boolean-self-evaluates", "#t", "#t"),
    ("quoted-boolean", "'#t", "#t"),
    ("vector-self-evaluates", "#(a 10)", "#(a 10)"),
    ("bytevector-self-evaluates", "#u8(64 65)", "#u8(64 65)"),
    ("char-self-evaluates", "#\\a", "#\\a"),
    ("empty-combination-is-an-error", "()", Raises("syntax-error", "not an expression")),
    # 4.1.3 procedure calls
    ("call-primitive", "(+ 3 4)", "7"),
    ("call-computed-operator", "((if #f + *) 3 4)", "12"),
    ("call-lambda-directly", "((lambda (x) (* x x)) 5)", "25"),
    ("operands-evaluated", "(list (+ 1 1) (* 2 2))", "(2 4)"),
    ("call-non-procedure", "(5 3)", Raises("type-error", "not a procedure")),
    ("call-string", '("abc")', Raises("type-error", "not a procedure")),
    # 4.1.4 procedures
    ("lambda-is-procedure", "(procedure? (lambda (x) (+ x x)))", "#t"),
    ("lambda-application", "((lambda (x) (+ x x)) 4)", "8"),
    (
        "lambda-closure-captures-environment",
        "(define reverse-subtract (lambda (x y) (- y x))) (reverse-subtract 7 10)",
        "3",
    ),
    (
        "lambda-closure-over-let",
        "(define add4 (let ((x 4)) (lambda (y) (+ x y)))) (add4 6)",
        "10",
    ),
    ("lambda-rest-list-all", "((lambda x x) 3 4 5 6)", "(3 4 5 6)"),
    ("lambda-rest-after-required", "((lambda (x y . z) z) 3 4 5 6)", "(5 6)"),
    ("lambda-rest-empty", "((lambda (x . z) z) 1)", "()"),
    ("lambda-no-arguments", "((lambda () 42))", "42"),
    ("lambda-body-sequence", "((lambda (x) (set! x (+ x 1)) (* x 10)) 1)", "20"),
    (
        "lambda-internal-define",
        "((lambda (x) (define y (* x 2)) (define (twice z) (* 2 z)) (twice y)) 5)",
        "20",
    ),
    (
        "lambda-too-few-arguments",
        "((lambda (x y) x) 1)",
        Raises("arity-error", "expects 2 arguments, got 1"),
    ),
    (
        "lambda-too-many-arguments",
        "((lambda (x) x) 1 2)",
        Raises("arity-error", "expects 1 argument, got 2"),
    ),
    (
        "lambda-rest-too-few",
        "((lambda (a b . c) a) 1)",
        Raises("arity-error", "at least 2 arguments"),
    ),
    ("lambda-duplicate-parameter", "(lambda (x x) x)", Raises("syntax-error", "appears twice")),
    ("lambda-empty-body", "(lambda (x))", Raises("syntax-error", "lambda")),
    (
        "lambda-fresh-frame-per-call",
        "(define (mk n) (lambda () n)) (list ((mk 1)) ((mk 2)))",
        "(1 2)",
    ),
    (
        "closures-share-mutable-state",
        "(define (counter) (let ((n 0)) (lambda () (set! n (+ n 1)) n)))"
        " (define c (counter)) (c) (c) (c)",
        "3",
    ),
    # 4.1.5 conditionals
    ("if-true-branch", "(if (> 3 2) 'yes 'no)", "yes"),
    ("if-false-branch", "(if (> 2 3) 'yes 'no)", "no"),
    ("if-computes-value", "(if (> 3 2) (- 3 2) (+ 3 2))", "1"),
    ("if-only-false-is-false", "(list (if '() 'a 'b) (if 0 'a 'b) (if \"\" 'a 'b))", "(a a a)"),
    ("if-without-else-unspecified", "(if #f #f)", "#<unspecified>"),
    ("if-without-else-true", "(if #t 'x)", "x"),
    ("if-too-many-parts", "(if 1 2 3 4)", Raises("syntax-error", "bad if")),
    # 4.1.6 assignments
    ("set-local", "(define x 2) (+ x 1) (set! x 4) (+ x 1)", "5"),
    ("set-captured-variable", "(let ((x 1)) (let ((f (lambda () (set! x 10)))) (f) x))", "10"),
    (
        "set-unbound-is-error",
        "(set! never-defined-variable 1)",
        Raises("unbound-variable", "never-defined-variable"),
    ),
    ("set-needs-symbol", "(set! (car x) 1)", Raises("syntax-error", "set!")),
    ("set-returns-unspecified", "(define x 1) (set! x 2)", "#<unspecified>"),
    (
        "lambda-arity-error-names-where-it-was-written",
        "((lambda (a b) a) 1)",
        Raises("arity-error", "<lambda <eval>:1:2>: expects 2 arguments, got 1"),
    ),
    (
        "case-lambda-named-by-its-define",
        "(define f (case-lambda ((a) 1) ((a b) 2))) (f 1 2 3)",
        Raises("arity-error", "f: no clause takes 3"),
    ),
    (
        "unbound-value-suggests-no-special-form",
        "(guard (e (#t (error-object-message e))) (list undefined-y))",
        '"unbound variable undefined-y"',
    ),
    (
        "unbound-operator-suggests-a-special-form",
        "(guard (e (#t (error-object-message e))) (lamda (x) x))",
        '"unbound variable lamda (did you mean lambda?)"',
    ),
    (
        "set-of-undefined-variable",
        "(define counter 0) (set! countr 1)",
        Raises("unbound-variable", "cannot set! countr: it is not defined (did you mean counter?)"),
    ),
]


@cases(ROWS)
def test_primitive_expressions(program, expected):
    check(program, expected)
