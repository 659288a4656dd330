"""R7RS 6.1: eqv?, eq?, equal? (the spec's examples whose results are specified)."""

from casekit import cases, check

ROWS = [
    # eqv?
    ("eqv-symbols", "(eqv? 'a 'a)", "#t"),
    ("eqv-different-symbols", "(eqv? 'a 'b)", "#f"),
    ("eqv-small-integers", "(eqv? 2 2)", "#t"),
    ("eqv-big-integers", "(eqv? 100000000000000000000 100000000000000000000)", "#t"),
    ("eqv-exactness-differs", "(eqv? 2 2.0)", "#f"),
    ("eqv-empty-lists", "(eqv? '() '())", "#t"),
    ("eqv-rationals", "(eqv? 1/2 (/ 2 4))", "#t"),
    ("eqv-floats", "(eqv? 1.5 (/ 3. 2))", "#t"),
    ("eqv-signed-zeros", "(eqv? 0.0 -0.0)", "#f"),
    ("eqv-nan", "(eqv? +nan.0 +nan.0)", "#t"),
    ("eqv-fresh-pairs", "(eqv? (cons 1 2) (cons 1 2))", "#f"),
    ("eqv-procedures", "(eqv? (lambda () 1) (lambda () 2))", "#f"),
    ("eqv-same-procedure", "(let ((p (lambda (x) x))) (eqv? p p))", "#t"),
    ("eqv-false-empty-list", "(eqv? #f '())", "#f"),
    ("eqv-chars", "(eqv? #\\a #\\a)", "#t"),
    ("eqv-strings-different-content", '(eqv? "" "a")', "#f"),
    ("eqv-fresh-vectors", "(eqv? (make-vector 1 0) (make-vector 1 0))", "#f"),
    (
        "eqv-generated-closures",
        "(define gen-counter (lambda () (let ((n 0)) (lambda () (set! n (+ n 1)) n))))"
        " (let ((g (gen-counter))) (eqv? g g))",
        "#t",
    ),
    (
        "eqv-distinct-closures",
        "(define gen-counter (lambda () (let ((n 0)) (lambda () (set! n (+ n 1)) n))))"
        " (eqv? (gen-counter) (gen-counter))",
        "#f",
    ),
    ("eqv-same-variable-pair", "(let ((x '(a))) (eqv? x x))", "#t"),
    (
        "eqv-records",
        "(define-record-type t (mk) t?) (let ((a (mk))) (list (eqv? a a) (eqv? a (mk))))",
        "(#t #f)",
    ),
    # eq?
    ("eq-symbols", "(eq? 'a 'a)", "#t"),
    ("eq-fresh-lists", "(eq? (list 'a) (list 'a))", "#f"),
    ("eq-empty-lists", "(eq? '() '())", "#t"),
    ("eq-primitive-procedure", "(eq? car car)", "#t"),
    ("eq-same-variable-list", "(let ((x '(a))) (eq? x x))", "#t"),
    ("eq-same-variable-vector", "(let ((x '#())) (eq? x x))", "#t"),
    ("eq-same-procedure", "(let ((p (lambda (x) x))) (eq? p p))", "#t"),
    ("eq-small-integers", "(eq? 7 7)", "#t"),
    ("eq-chars", "(eq? #\\x #\\x)", "#t"),
    ("eq-booleans", "(list (eq? #t #t) (eq? #f #f) (eq? #t #f))", "(#t #t #f)"),
    ("eq-string-symbol-interned", '(eq? (string->symbol "abc") \'abc)', "#t"),
    # equal?
    ("equal-symbols", "(equal? 'a 'a)", "#t"),
    ("equal-lists", "(equal? '(a) '(a))", "#t"),
    ("equal-nested-lists", "(equal? '(a (b) c) '(a (b) c))", "#t"),
    ("equal-strings", '(equal? "abc" "abc")', "#t"),
    ("equal-strings-case", '(equal? "abc" "abC")', "#f"),
    ("equal-integers", "(equal? 2 2)", "#t"),
    ("equal-vectors", "(equal? (make-vector 5 'a) (make-vector 5 'a))", "#t"),
    ("equal-vector-literal-and-fresh", "(equal? '#(1 2) (vector 1 2))", "#t"),
    ("equal-bytevectors", "(equal? (bytevector 1 2) #u8(1 2))", "#t"),
    ("equal-exactness-differs", "(equal? 2 2.0)", "#f"),
    ("equal-different-lengths", "(equal? '(1 2) '(1 2 3))", "#f"),
    ("equal-dotted", "(equal? '(1 . 2) (cons 1 2))", "#t"),
    ("equal-chars", "(equal? #\\a #\\a)", "#t"),
    ("equal-list-vs-vector", "(equal? '(1) #(1))", "#f"),
    ("equal-long-list", "(equal? (iota 30000) (iota 30000))", "#t"),
    (
        "equal-circular-terminates",
        "(define a (list 1 2)) (set-cdr! (cdr a) a) (define b (list 1 2)) (set-cdr! (cdr b) b) (equal? a b)",
        "#t",
    ),
    ("equal-lambda-identity", "(equal? (lambda (x) x) (lambda (y) y))", "#f"),
]


@cases(ROWS)
def test_equivalence(program, expected):
    check(program, expected)
