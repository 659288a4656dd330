"""R7RS 6.12: `environment`, `scheme-report-environment`, `null-environment`,
`interaction-environment` and `eval` with an environment specifier."""

from casekit import Raises, cases, check

BASE = "(environment '(scheme base))"

EVALUATION = [
    ("eval-in-environment", f"(eval '(* 7 3) {BASE})", "21"),
    (
        "eval-environment-of-several-libraries",
        "(eval '(map (lambda (x) (* x x)) '(1 2)) (environment '(scheme base) '(scheme write)))",
        "(1 4)",
    ),
    ("eval-environment-has-the-library", f'(eval \'(string-join \'("a" "b") ",") {BASE})', '"a,b"'),
    (
        "eval-environment-has-derived-forms",
        f"(eval '(let-values (((a b) (values 1 2))) (+ a b)) {BASE})",
        "3",
    ),
    (
        "eval-environment-without-program-definitions",
        f"(define secret 5) (eval 'secret {BASE})",
        Raises("unbound-variable", "unbound variable secret"),
    ),
    (
        "eval-environment-keeps-standard-meaning",
        f"(define (car x) 'mine) (eval '(car '(1 2)) {BASE})",
        "1",
    ),
    (
        "eval-environment-is-read-only",
        f"(eval '(define y 1) {BASE})",
        Raises("syntax-error", "cannot define y: this environment is read-only"),
    ),
    (
        "eval-environment-set-is-refused",
        f"(eval '(set! car 1) {BASE})",
        Raises("syntax-error", "cannot set! car"),
    ),
    (
        "eval-environment-define-syntax-is-refused",
        f"(eval '(define-syntax m (syntax-rules () ((_) 1))) {BASE})",
        Raises("syntax-error", "cannot define-syntax m"),
    ),
    ("eval-interaction-environment", "(define x 5) (eval '(+ x 1) (interaction-environment))", "6"),
    (
        "eval-interaction-environment-defines",
        "(eval '(define z 9) (interaction-environment)) z",
        "9",
    ),
    ("eval-scheme-report-environment", "(eval '(if #t 1 2) (scheme-report-environment 5))", "1"),
    ("eval-null-environment", "(eval '(if #f 1 2) (null-environment 5))", "2"),
    (
        "report-environment-version",
        "(null-environment 6)",
        Raises("type-error", "null-environment: expected the version 5 as argument 1, got 6"),
    ),
    (
        "environment-unknown-library",
        "(environment '(foo bar))",
        Raises("error", "environment: not a library taskscheme has"),
    ),
    (
        "environment-import-set-modifier",
        "(environment '(only (scheme base) car))",
        Raises("error", "import sets like (only ...) are not supported"),
    ),
    ("environment-not-a-list", "(environment 5)", Raises("error", "not a library")),
    (
        "eval-bad-environment",
        "(eval '(+ 1 2) 5)",
        Raises("type-error", "eval: expected an environment as argument 2, got 5"),
    ),
    ("environment-printed", BASE, "#<environment>"),
]


@cases(EVALUATION)
def test_environments_and_eval(program, expected):
    check(program, expected)
