"""R7RS 6.10: control features. Continuations are escape-only: calling one after its
call/cc has returned is an error that says so."""

from casekit import Prints, Raises, cases, check

PROCEDURES = [
    ("procedure-predicate-primitive", "(procedure? car)", "#t"),
    ("procedure-predicate-symbol", "(procedure? 'car)", "#f"),
    ("procedure-predicate-lambda", "(procedure? (lambda (x) (* x x)))", "#t"),
    ("procedure-predicate-quoted-lambda", "(procedure? '(lambda (x) (* x x)))", "#f"),
    ("procedure-predicate-continuation", "(call-with-current-continuation procedure?)", "#t"),
    ("procedure-predicate-parameter", "(procedure? (make-parameter 1))", "#t"),
    ("apply-list", "(apply + (list 3 4))", "7"),
    ("apply-spread", "(apply + 1 2 '(3 4))", "10"),
    (
        "apply-compose",
        "(define compose (lambda (f g) (lambda args (f (apply g args))))) ((compose sqrt *) 12 75)",
        "30",
    ),
    ("apply-last-not-list", "(apply + 1 2)", Raises("type-error", "apply")),
    ("apply-lambda", "(apply (lambda (a b . c) (list a b c)) 1 '(2 3 4))", "(1 2 (3 4))"),
    ("map-cadr", "(map cadr '((a b) (d e) (g h)))", "(b e h)"),
    ("map-expt", "(map (lambda (n) (expt n n)) '(1 2 3 4 5))", "(1 4 27 256 3125)"),
    ("map-two-lists", "(map + '(1 2 3) '(10 20 30))", "(11 22 33)"),
    ("map-shortest-list", "(map + '(1 2 3) '(10 20))", "(11 22)"),
    (
        "map-order-count",
        "(let ((count 0)) (map (lambda (ignored) (set! count (+ count 1)) count) '(a b)))",
        "(1 2)",
    ),
    (
        "map-not-list",
        "(map car 5)",
        Raises("type-error", "map: expected a list as argument 2, got 5"),
    ),
    ("map-improper-list", "(map car '((1) . 2))", Raises("type-error", "map: expected a list")),
    (
        "for-each-not-list",
        "(for-each car 5)",
        Raises("type-error", "for-each: expected a list as argument 2, got 5"),
    ),
    ("map-not-procedure", "(map 5 '(1))", Raises("type-error", "map: expected a procedure")),
    (
        "for-each-vector-set",
        "(let ((v (make-vector 5))) (for-each (lambda (i) (vector-set! v i (* i i))) '(0 1 2 3 4)) v)",
        "#(0 1 4 9 16)",
    ),
    (
        "for-each-two-lists",
        "(for-each (lambda (a b) (display (+ a b))) '(1 2) '(10 20))",
        Prints("1122"),
    ),
    ("string-map-control", '(string-map char-foldcase "AbdEgH")', '"abdegh"'),
    (
        "vector-map-control",
        "(vector-map (lambda (n) (expt n n)) #(1 2 3 4 5))",
        "#(1 4 27 256 3125)",
    ),
    (
        "several-values-where-one-expected",
        "(+ (values 1 2) 1)",
        Raises(
            "type-error",
            "+: expected a number as argument 1, got 2 values (1 2) where one was expected",
        ),
    ),
    (
        "apply-needs-a-list",
        "(apply +)",
        Raises("arity-error", "apply: expects at least 2 arguments, got 1"),
    ),
    (
        "apply-needs-a-list-in-tail-position",
        "(define (f) (apply +)) (f)",
        Raises("arity-error", "apply: expects at least 2 arguments, got 1"),
    ),
    (
        "apply-nothing",
        "(apply)",
        Raises("arity-error", "apply: expects at least 2 arguments, got 0"),
    ),
]

CONTINUATIONS = [
    (
        "call-cc-exit-for-each",
        "(call-with-current-continuation (lambda (exit) (for-each (lambda (x) (if (negative? x) (exit x))) '(54 0 37 -3 245 19)) #t))",
        "-3",
    ),
    (
        "call-cc-list-length",
        "(define list-length (lambda (obj) (call-with-current-continuation (lambda (return)"
        " (letrec ((r (lambda (obj) (cond ((null? obj) 0) ((pair? obj) (+ (r (cdr obj)) 1)) (else (return #f))))))"
        " (r obj))))))"
        " (list (list-length '(1 2 3 4)) (list-length '(a b . c)))",
        "(4 #f)",
    ),
    ("call-cc-escape-from-nested", "(+ 1 (call/cc (lambda (k) (+ 10 (k 1)))))", "2"),
    ("call-cc-normal-return", "(call/cc (lambda (k) 5))", "5"),
    (
        "call-cc-multiple-values",
        "(call-with-values (lambda () (call/cc (lambda (k) (k 1 2)))) list)",
        "(1 2)",
    ),
    (
        "call-cc-reentry-unsupported",
        "(define k #f) (+ 1 (call/cc (lambda (c) (set! k c) 1))) (k 5)",
        Raises("error", "only escaping continuations"),
    ),
    (
        "call-cc-escape-through-guard",
        "(call/cc (lambda (k) (guard (e (#t 'caught)) (k 'escaped))))",
        "escaped",
    ),
    (
        "values-call-with-values",
        "(call-with-values (lambda () (values 4 5)) (lambda (a b) b))",
        "5",
    ),
    ("values-star-minus", "(call-with-values * -)", "-1"),
    ("values-single", "(list (values 1))", "(1)"),
    ("values-none", "(call-with-values (lambda () (values)) list)", "()"),
    (
        "let-values-with-zero-values",
        "(let-values (((a b) (values 1 2)) (c (values))) (list a b c))",
        "(1 2 ())",
    ),
    (
        "dynamic-wind-order",
        '(dynamic-wind (lambda () (display "before ")) (lambda () \'during) (lambda () (display "after ")))',
        Prints("before after ", "during"),
    ),
    (
        "dynamic-wind-escape-runs-after",
        "(let ((path '())) (call/cc (lambda (k) (dynamic-wind (lambda () (set! path (cons 'in path)))"
        " (lambda () (k 'escaped)) (lambda () (set! path (cons 'out path)))))) (reverse path))",
        "(in out)",
    ),
    (
        "dynamic-wind-error-runs-after",
        '(guard (e (#t (display "caught ") e)) (dynamic-wind (lambda () (display "in ")) (lambda () (raise \'x)) (lambda () (display "out "))))',
        Prints("in out caught ", "x"),
    ),
    (
        "dynamic-wind-r7rs-reentry-unsupported",
        "(let ((path '()) (c #f)) (let ((add (lambda (s) (set! path (cons s path)))))"
        " (dynamic-wind (lambda () (add 'connect)) (lambda () (add (call-with-current-continuation (lambda (c0) (set! c c0) 'talk1))))"
        " (lambda () (add 'disconnect))) (if (< (length path) 4) (c 'talk2) (reverse path))))",
        Raises("error", "only escaping continuations"),
    ),
]


@cases(PROCEDURES)
def test_procedures(program, expected):
    check(program, expected)


@cases(CONTINUATIONS)
def test_continuations_values_dynamic_wind(program, expected):
    check(program, expected)
