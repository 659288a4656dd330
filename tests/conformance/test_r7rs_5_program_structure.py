"""R7RS 5: programs, definitions, internal definitions, define-values, define-record-type."""

from casekit import Raises, cases, check

PARE = "(define-record-type <pare> (kons x y) pare? (x kar set-kar!) (y kdr))"

DEFINITIONS = [
    # 5.3 variable definitions
    ("define-variable", "(define add3 (lambda (x) (+ x 3))) (add3 3)", "6"),
    ("define-first", "(define first car) (first '(1 2))", "1"),
    ("define-procedure-shorthand", "(define (add3 x) (+ x 3)) (add3 3)", "6"),
    ("define-rest-shorthand", "(define (f . args) args) (f 1 2)", "(1 2)"),
    ("define-curried", "(define ((adder n) x) (+ n x)) ((adder 3) 4)", "7"),
    ("define-redefine", "(define x 1) (define x 2) x", "2"),
    ("define-without-value", "(define x) (if (eq? x x) 'bound 'unbound)", "bound"),
    ("define-value-unspecified", "(define x 5)", "#<unspecified>"),
    ("define-names-procedure", "(define (my-proc) 1) my-proc", "#<procedure my-proc>"),
    (
        "define-lambda-names-procedure",
        "(define my-proc (lambda () 1)) my-proc",
        "#<procedure my-proc>",
    ),
    ("define-needs-symbol", "(define 5 1)", Raises("syntax-error", "name must be a symbol")),
    ("define-too-many-values", "(define x 1 2)", Raises("syntax-error", "one value expression")),
    # 5.3.2 internal definitions
    (
        "internal-define-r7rs",
        "(let ((x 5)) (define foo (lambda (y) (bar x y))) (define bar (lambda (a b) (+ (* a b) a))) (foo (+ x 3)))",
        "45",
    ),
    (
        "internal-defines-letrec-star",
        "(define (f) (define a 1) (define b (+ a 1)) (list a b)) (f)",
        "(1 2)",
    ),
    (
        "internal-define-shadows-global",
        "(define x 'global) (define (f) (define x 'local) x) (list (f) x)",
        "(local global)",
    ),
    (
        "internal-define-in-lambda-body-begin",
        "(define (f) (begin (define a 1) (define b 2)) (+ a b)) (f)",
        "3",
    ),
    (
        "internal-define-use-before-init",
        "(define (f) (define a b) (define b 1) a) (f)",
        Raises("unbound-variable", "before its definition"),
    ),
    (
        "define-in-expression-position",
        "(define (f) (if #t (define x 1) 2) x)",
        Raises("syntax-error", "not allowed here"),
    ),
    # 5.3.3 define-values
    ("define-values-two", "(define-values (x y) (exact-integer-sqrt 17)) (list x y)", "(4 1)"),
    ("define-values-dotted", "(define-values (x . y) (values 1 2 3)) (list x y)", "(1 (2 3))"),
    ("define-values-all", "(define-values all (values 1 2 3)) all", "(1 2 3)"),
    ("define-values-internal", "(define (f) (define-values (x y) (values 1 2)) (+ x y)) (f)", "3"),
    (
        "define-values-r7rs",
        "(let () (define-values (x y) (exact-integer-sqrt 17)) (list x y))",
        "(4 1)",
    ),
    ("define-values-arity", "(define-values (x y) (values 1 2 3))", Raises("arity-error")),
    # 5.4 syntax definitions
    (
        "define-syntax-toplevel",
        "(define-syntax kons (syntax-rules () ((_ a b) (cons a b)))) (define (f) (kons 1 2)) (f)",
        "(1 . 2)",
    ),
    # 5.5 record types
    ("record-r7rs-pare", PARE + " (pare? (kons 1 2))", "#t"),
    ("record-predicate-false", PARE + " (pare? (cons 1 2))", "#f"),
    ("record-accessor", PARE + " (kar (kons 1 2))", "1"),
    ("record-second-accessor", PARE + " (kdr (kons 1 2))", "2"),
    ("record-modifier", PARE + " (let ((k (kons 1 2))) (set-kar! k 3) (kar k))", "3"),
    ("record-printed", PARE + " (kons 1 2)", "#<pare x: 1 y: 2>"),
    ("record-type-value", PARE + " <pare>", "#<record-type pare>"),
    (
        "record-distinct-types",
        PARE
        + " (define-record-type other (make-other x) other? (x other-x)) (pare? (make-other 1))",
        "#f",
    ),
    (
        "record-accessor-wrong-type",
        PARE + " (kar 5)",
        Raises("type-error", "kar: expected a pare record"),
    ),
    ("record-constructor-arity", PARE + " (kons 1)", Raises("arity-error", "kons")),
    (
        "record-constructor-subset",
        "(define-record-type node (make-node val) node? (val node-val) (next node-next set-node-next!)) (node-next (make-node 1))",
        "#<unspecified>",
    ),
    (
        "record-unknown-constructor-field",
        "(define-record-type t (make-t z) t? (x t-x))",
        Raises("syntax-error", "not a field"),
    ),
    ("record-is-not-vector", PARE + " (vector? (kons 1 2))", "#f"),
    (
        "record-equal-is-identity",
        PARE + " (list (equal? (kons 1 2) (kons 1 2)) (let ((k (kons 1 2))) (equal? k k)))",
        "(#f #t)",
    ),
    (
        "record-accessor-error-names-the-type",
        "(define-record-type account (make-account id) account? (id account-id)) (account-id 'x)",
        Raises("type-error", "account-id: expected an account record as argument 1, got x"),
    ),
    (
        "record-constructor-true",
        "(define-record-type p #t p?)",
        Raises("syntax-error", "the constructor must be a name, got #t"),
    ),
    (
        "record-type-name-string",
        '(define-record-type "" () p?)',
        Raises("syntax-error", 'the record type name must be a name, got ""'),
    ),
    (
        "record-constructor-field-number",
        "(define-record-type p (make-p 1) p?)",
        Raises("syntax-error", "a constructor field must be a name, got 1"),
    ),
    (
        "record-accessor-number",
        "(define-record-type p (make-p x) p? (x 1))",
        Raises("syntax-error", "a field, accessor or modifier must be a name, got 1"),
    ),
    (
        "record-field-number",
        "(define-record-type p (make-p) p? (1 p-x))",
        Raises("syntax-error", "must be a name, got 1"),
    ),
    (
        "record-empty-field-spec",
        "(define-record-type p (make-p) p? ())",
        Raises("syntax-error", "bad record field"),
    ),
    (
        "record-field-twice",
        "(define-record-type p (make-p x) p? (x p-x) (x p-y))",
        Raises("syntax-error", "the field x is declared twice"),
    ),
    (
        "record-predicate-string",
        '(define-record-type p (make-p) "p?")',
        Raises("syntax-error", 'the predicate must be a name, got "p?"'),
    ),
    (
        "record-string-name-and-nothing-else",
        '(define-record-type "" ())',
        Raises("syntax-error", "bad define-record-type: expected"),
    ),
    (
        "record-without-predicate",
        "(define-record-type p (make-p))",
        Raises("syntax-error", "bad define-record-type: expected"),
    ),
    (
        "record-predicate-false-omits-it",
        "(define-record-type p (make-p x) #f (x p-x)) (p-x (make-p 2))",
        "2",
    ),
    (
        "define-procedure-without-body",
        "(define (f))",
        Raises("syntax-error", "bad define of (f): the body is empty"),
    ),
    ("define-values-nothing", "(define-values () (values)) 1", "1"),
    ("define-values-nothing-internal", "(define (f) (define-values () (values)) 2) (f)", "2"),
    (
        "define-values-count-mismatch",
        "(define-values (a b) (values 1))",
        Raises("arity-error", "the expression gave 1 value(s) but the formals take 2 values"),
    ),
]

PROGRAMS = [
    ("program-value-is-last-form", "1 2 3", "3"),
    (
        "forms-run-in-order",
        "(define log '()) (set! log (cons 1 log)) (set! log (cons 2 log)) log",
        "(2 1)",
    ),
    ("toplevel-forward-reference", "(define (f) (g)) (define (g) 'g) (f)", "g"),
    ("empty-program", "", "#<unspecified>"),
    ("comments-only", "; nothing here\n#| block |#", "#<unspecified>"),
    ("eval-procedure", "(eval '(+ 1 2) (interaction-environment))", "3"),
    ("eval-defines-global", "(eval '(define zz 9) (interaction-environment)) zz", "9"),
    (
        "exit-with-a-bad-code",
        '(exit "bad")',
        Raises("type-error", "exit: expected an exit code from 0 to 255 or a boolean"),
    ),
    ("shebang-line-is-skipped", "#!/usr/bin/env -S taskscheme run\n(+ 1 2)", "3"),
]


@cases(DEFINITIONS)
def test_definitions(program, expected):
    check(program, expected)


@cases(PROGRAMS)
def test_programs(program, expected):
    check(program, expected)


def test_environment_variables(monkeypatch):
    monkeypatch.setenv("CONFORMANCE_TEST_VARIABLE", "present")
    monkeypatch.delenv("CONFORMANCE_TEST_ABSENT", raising=False)
    check('(get-environment-variable "CONFORMANCE_TEST_VARIABLE")', '"present"')
    check('(get-environment-variable "CONFORMANCE_TEST_ABSENT")', "#f")
    check(
        '(cdr (assoc "CONFORMANCE_TEST_VARIABLE" (get-environment-variables)))',
        '"present"',
    )
