"""R7RS 4.2: cond, case, and, or, when, unless, let forms, begin, do, named let,
delay/force, parameterize, guard, quasiquote, case-lambda."""

from casekit import Prints, Raises, cases, check

CONDITIONALS = [
    # 4.2.1 cond
    ("cond-first-true", "(cond ((> 3 2) 'greater) ((< 3 2) 'less))", "greater"),
    ("cond-else", "(cond ((> 3 3) 'greater) ((< 3 3) 'less) (else 'equal))", "equal"),
    ("cond-arrow", "(cond ((assv 'b '((a 1) (b 2))) => cadr) (else #f))", "2"),
    ("cond-test-only-returns-test", "(cond ((memv 2 '(1 2 3))) (else 'no))", "(2 3)"),
    ("cond-no-match-unspecified", "(cond (#f 1))", "#<unspecified>"),
    ("cond-body-sequence", "(cond (#f 0) (#t 1 2 3))", "3"),
    (
        "cond-else-not-last",
        "(cond (else 1) (#t 2))",
        Raises("syntax-error", "else must be the last"),
    ),
    ("cond-empty-clause", "(cond ())", Raises("syntax-error", "cond clause")),
    # 4.2.1 case
    ("case-composite", "(case (* 2 3) ((2 3 5 7) 'prime) ((1 4 6 8 9) 'composite))", "composite"),
    (
        "case-else-arrow",
        "(case (car '(c d)) ((a e i o u) 'vowel) ((w y) 'semivowel) (else => (lambda (x) x)))",
        "c",
    ),
    ("case-no-match-unspecified", "(case 10 ((1) 'one))", "#<unspecified>"),
    ("case-uses-eqv-chars", "(case #\\b ((#\\a) 1) ((#\\b) 2) (else 3))", "2"),
    ("case-uses-eqv-not-equal", "(case (list 1) (((1)) 'list) (else 'no))", "no"),
    ("case-clause-arrow", "(case 5 ((5) => (lambda (x) (* x x))) (else 0))", "25"),
    (
        "case-key-evaluated-once",
        "(define n 0) (case (begin (set! n (+ n 1)) n) ((0) 'a) ((2) 'b) (else n))",
        "1",
    ),
    ("case-symbols", "(case 'banana ((apple) 1) ((banana cherry) 2) (else 3))", "2"),
    # 4.2.1 and / or
    ("and-all-true-last-value", "(and (= 2 2) (> 2 1))", "#t"),
    ("and-false", "(and (= 2 2) (< 2 1))", "#f"),
    ("and-returns-last", "(and 1 2 'c '(f g))", "(f g)"),
    ("and-empty", "(and)", "#t"),
    ("and-short-circuits", "(define hit #f) (and #f (set! hit #t)) hit", "#f"),
    ("or-first-true", "(or (= 2 2) (> 2 1))", "#t"),
    ("or-second-true", "(or (= 2 2) (< 2 1))", "#t"),
    ("or-all-false", "(or #f #f #f)", "#f"),
    ("or-returns-value", "(or (memq 'b '(a b c)) (/ 3 0))", "(b c)"),
    ("or-empty", "(or)", "#f"),
    # 4.2.1 when / unless
    ("when-true", "(when (= 1 1.0) 'a 'b)", "b"),
    ("when-false-unspecified", "(when #f 'a)", "#<unspecified>"),
    ("when-prints", '(when (= 1 1.0) (display "1") (display "2"))', Prints("12")),
    ("unless-false", "(unless (= 1 2) 'a 'b)", "b"),
    ("unless-true-unspecified", "(unless #t 'a)", "#<unspecified>"),
    ("unless-prints", '(unless (= 1 1.0) (display "1") (display "2"))', Prints("")),
    (
        "case-else-not-last",
        "(case 1 (else 1) ((2) 3))",
        Raises("syntax-error", "else must be the last clause"),
    ),
]

BINDINGS = [
    # 4.2.2 let, let*, letrec, letrec*, let-values, let*-values
    ("let-basic", "(let ((x 2) (y 3)) (* x y))", "6"),
    ("let-inits-in-outer-scope", "(let ((x 2) (y 3)) (let ((x 7) (z (+ x y))) (* z x)))", "35"),
    ("let-star-sequential", "(let ((x 2) (y 3)) (let* ((x 7) (z (+ x y))) (* z x)))", "70"),
    ("let-star-empty", "(let* () 5)", "5"),
    ("let-star-shadow-same-name", "(let* ((x 1) (x (+ x 1))) x)", "2"),
    ("let-empty-bindings", "(let () 1 2)", "2"),
    ("let-body-defines", "(let () (define a 1) (define (f) (+ a 1)) (f))", "2"),
    ("let-duplicate-binding", "(let ((x 1) (x 2)) x)", Raises("syntax-error", "bound twice")),
    (
        "letrec-mutual-recursion",
        "(letrec ((even? (lambda (n) (if (zero? n) #t (odd? (- n 1)))))"
        " (odd? (lambda (n) (if (zero? n) #f (even? (- n 1))))))"
        " (even? 88))",
        "#t",
    ),
    (
        "letrec-star-sequential",
        "(letrec* ((p (lambda (x) (+ 1 (q (- x 1)))))"
        " (q (lambda (y) (if (zero? y) 0 (+ 1 (p (- y 1))))))"
        " (x (p 5)) (y x)) y)",
        "5",
    ),
    (
        "letrec-use-before-init",
        "(letrec ((a b) (b 1)) a)",
        Raises("unbound-variable", "before its definition"),
    ),
    ("let-values-basic", "(let-values (((root rem) (exact-integer-sqrt 32))) (* root rem))", "35"),
    (
        "let-values-rest",
        "(let-values (((a . rest) (values 1 2 3)) ((b) (values 4))) (list a rest b))",
        "(1 (2 3) 4)",
    ),
    ("let-values-all", "(let-values ((all (values 1 2))) all)", "(1 2)"),
    (
        "let-values-inits-in-outer-scope",
        "(let ((a 1)) (let-values (((a) (values 2)) ((b) (values a))) (list a b)))",
        "(2 1)",
    ),
    (
        "let-star-values",
        "(let ((a 'a) (b 'b) (x 'x) (y 'y))"
        " (let*-values (((a b) (values x y)) ((x y) (values a b))) (list a b x y)))",
        "(x y x y)",
    ),
    ("let-values-arity-mismatch", "(let-values (((a b) (values 1))) a)", Raises("arity-error")),
    ("let-bare-name-binding", "(let ((x 1) y) x)", Raises("syntax-error", "got the bare name y")),
    ("let-binding-without-value", "(let ((y)) y)", Raises("syntax-error", "bad let binding")),
    ("letrec-bare-name-binding", "(letrec (f) 1)", Raises("syntax-error", "bare name f")),
]

SEQUENCING_AND_ITERATION = [
    # 4.2.3 begin
    ("begin-value-of-last", "(define x 0) (and (= x 0) (begin (set! x 5) (+ x 1)))", "6"),
    (
        "begin-output",
        '(begin (display "4 plus 1 equals ") (display (+ 4 1)))',
        Prints("4 plus 1 equals 5"),
    ),
    ("begin-toplevel-defines", "(begin (define a 1) (define b 2)) (+ a b)", "3"),
    ("begin-empty-unspecified", "(begin)", "#<unspecified>"),
    # 4.2.4 do
    (
        "do-vector",
        "(do ((vec (make-vector 5)) (i 0 (+ i 1))) ((= i 5) vec) (vector-set! vec i i))",
        "#(0 1 2 3 4)",
    ),
    (
        "do-sum",
        "(let ((x '(1 3 5 7 9))) (do ((x x (cdr x)) (sum 0 (+ sum (car x)))) ((null? x) sum)))",
        "25",
    ),
    ("do-no-result-expression", "(do ((i 0 (+ i 1))) ((= i 3)))", "#<unspecified>"),
    ("do-no-step-keeps-value", "(do ((i 0 (+ i 1)) (k 7)) ((= i 3) k))", "7"),
    ("do-body-runs", "(do ((i 0 (+ i 1))) ((= i 3)) (display i))", Prints("012")),
    # 4.2.4 named let
    (
        "named-let-partition",
        "(let loop ((numbers '(3 -2 1 6 -5)) (nonneg '()) (neg '()))"
        " (cond ((null? numbers) (list nonneg neg))"
        " ((>= (car numbers) 0) (loop (cdr numbers) (cons (car numbers) nonneg) neg))"
        " ((< (car numbers) 0) (loop (cdr numbers) nonneg (cons (car numbers) neg)))))",
        "((6 1 3) (-5 -2))",
    ),
    (
        "named-let-name-scoped-to-body",
        "(define loop 'outer) (let loop ((i 0)) (if (< i 2) (loop (+ i 1)) i)) loop",
        "outer",
    ),
    ("named-let-procedure-value", "(let f ((n 5)) (if (= n 0) 1 (* n (f (- n 1)))))", "120"),
    ("named-let-empty-bindings", "(let loop () 7)", "7"),
]

LAZY = [
    # 4.2.5 delayed evaluation
    ("force-delay", "(force (delay (+ 1 2)))", "3"),
    ("force-twice-same-value", "(let ((p (delay (+ 1 2)))) (list (force p) (force p)))", "(3 3)"),
    (
        "delay-computes-once",
        "(define n 0) (define p (delay (begin (set! n (+ n 1)) n))) (force p) (force p) n",
        "1",
    ),
    (
        "delay-stream",
        "(define integers (letrec ((next (lambda (n) (delay (cons n (next (+ n 1))))))) (next 0)))"
        " (define (head stream) (car (force stream)))"
        " (define (tail stream) (cdr (force stream)))"
        " (head (tail (tail integers)))",
        "2",
    ),
    (
        "delay-force-iterative-stream",
        "(define (stream-filter p? s) (delay-force (if (null? (force s)) (delay '())"
        " (let ((h (car (force s))) (t (cdr (force s))))"
        " (if (p? h) (delay (cons h (stream-filter p? t))) (stream-filter p? t))))))"
        " (define (from n) (delay (cons n (from (+ n 1)))))"
        " (car (force (stream-filter (lambda (x) (= x 10000)) (from 0))))",
        "10000",
    ),
    (
        "delay-reentrant-force",
        "(define count 0)"
        " (define p (delay (begin (set! count (+ count 1)) (if (> count x) count (force p)))))"
        " (define x 5)"
        " (list (force p) (begin (set! x 10) (force p)))",
        "(6 6)",
    ),
    ("force-non-promise", "(force 3)", "3"),
    ("make-promise-forced", "(force (make-promise 5))", "5"),
    ("make-promise-of-promise-is-same", "(let ((p (delay 1))) (eq? p (make-promise p)))", "#t"),
    ("promise-predicate", "(list (promise? (delay 1)) (promise? 1))", "(#t #f)"),
]

DYNAMIC = [
    # 4.2.6 parameterize
    (
        "parameterize-radix",
        "(define radix (make-parameter 10 (lambda (x) (if (and (exact-integer? x) (<= 2 x 16)) x"
        ' (error "invalid radix")))))'
        " (define (f n) (number->string n (radix)))"
        " (list (f 12) (parameterize ((radix 2)) (f 12)) (f 12))",
        '("12" "1100" "12")',
    ),
    (
        "parameterize-converter-error",
        "(define radix (make-parameter 10 (lambda (x) (if (and (exact-integer? x) (<= 2 x 16)) x"
        ' (error "invalid radix")))))'
        " (parameterize ((radix 0)) (radix))",
        Raises("error", "invalid radix"),
    ),
    ("parameter-call", "(define p (make-parameter 1)) (p)", "1"),
    (
        "parameterize-restores-on-error",
        "(define p (make-parameter 1)) (guard (e (#t (p))) (parameterize ((p 2)) (raise 'x)))",
        "1",
    ),
    (
        "parameterize-not-a-parameter",
        "(parameterize ((car 1)) 1)",
        Raises("type-error", "parameter"),
    ),
    # 4.2.7 guard
    (
        "guard-assq",
        "(guard (condition ((assq 'a condition) => cdr) ((assq 'b condition))) (raise (list (cons 'a 42))))",
        "42",
    ),
    (
        "guard-assq-second",
        "(guard (condition ((assq 'a condition) => cdr) ((assq 'b condition))) (raise (list (cons 'b 23))))",
        "(b . 23)",
    ),
    ("guard-else", "(guard (e (#f 'no) (else (list 'caught e))) (raise 'boom))", "(caught boom)"),
    ("guard-no-error-value", "(guard (e (#t 'caught)) 'fine)", "fine"),
    (
        "guard-reraises-unmatched",
        "(guard (outer (#t (list 'outer outer))) (guard (inner ((string? inner) 'inner)) (raise 'sym)))",
        "(outer sym)",
    ),
    (
        "guard-catches-error-object",
        '(guard (e ((error-object? e) (error-object-message e))) (error "bad thing" 1))',
        '"bad thing"',
    ),
    (
        "guard-catches-primitive-error",
        "(guard (e ((error-object? e) 'caught)) (car '()))",
        "caught",
    ),
    (
        "guard-unmatched-propagates",
        "(guard (e ((string? e) 'no)) (raise 'sym))",
        Raises("uncaught-raise", "sym"),
    ),
    # 4.2.8 quasiquote
    ("quasiquote-unquote", "`(list ,(+ 1 2) 4)", "(list 3 4)"),
    ("quasiquote-quoted-unquote", "(let ((name 'a)) `(list ,name ',name))", "(list a (quote a))"),
    ("quasiquote-splicing", "`(a ,(+ 1 2) ,@(map abs '(4 -5 6)) b)", "(a 3 4 5 6 b)"),
    ("quasiquote-dotted", "`(( foo ,(- 10 3)) ,@(cdr '(c)) . ,(car '(cons)))", "((foo 7) . cons)"),
    ("quasiquote-vector", "`#(10 5 ,(sqrt 4) ,@(map sqrt '(16 9)) 8)", "#(10 5 2 4 3 8)"),
    (
        "quasiquote-splice-symbol-list",
        "(let ((foo '(foo bar)) (@baz 'baz)) `(list ,@foo , @baz))",
        "(list foo bar baz)",
    ),
    ("quasiquote-nested", "`(a `(b ,(c)))", "(a (quasiquote (b (unquote (c)))))"),
    (
        "quasiquote-nested-inner-unquote",
        "`(a `(b ,(+ 1 2) ,(foo ,(+ 1 3) d) e) f)",
        "(a (quasiquote (b (unquote (+ 1 2)) (unquote (foo 4 d)) e)) f)",
    ),
    (
        "quasiquote-nested-double-unquote",
        "(let ((name1 'x) (name2 'y)) `(a `(b ,,name1 ,',name2 d) e))",
        "(a (quasiquote (b (unquote x) (unquote (quote y)) d)) e)",
    ),
    ("quasiquote-long-form", "(quasiquote (list (unquote (+ 1 2)) 4))", "(list 3 4)"),
    (
        "quasiquote-quoted-long-form",
        "'(quasiquote (list (unquote (+ 1 2)) 4))",
        "(quasiquote (list (unquote (+ 1 2)) 4))",
    ),
    ("quasiquote-splice-at-end", "`(1 ,@'(2 3))", "(1 2 3)"),
    ("quasiquote-splice-empty", "`(1 ,@'() 2)", "(1 2)"),
    ("quasiquote-atom", "`5", "5"),
    ("quasiquote-fresh-structure", "(define (f) `(1 ,(+ 1 1))) (eq? (f) (f))", "#f"),
    ("quasiquote-splice-improper", "`(1 ,@2 3)", Raises("type-error", "unquote-splicing")),
    # 4.2.9 case-lambda
    (
        "case-lambda-range",
        "(define range (case-lambda ((e) (range 0 e)) ((b e) (do ((r '() (cons e r)) (e (- e 1) (- e 1))) ((< e b) r)))))"
        " (list (range 3) (range 3 5))",
        "((0 1 2) (3 4))",
    ),
    (
        "case-lambda-plus",
        "(define plus (case-lambda (() 0) ((x) x) ((x y) (+ x y)) ((x y z) (+ (+ x y) z)) (args (apply + args))))"
        " (list (plus) (plus 1) (plus 1 2) (plus 1 2 3) (plus 1 2 3 4))",
        "(0 1 3 6 10)",
    ),
    ("case-lambda-rest-clause", "((case-lambda ((a) 'one) ((a . rest) rest)) 1 2 3)", "(2 3)"),
    (
        "case-lambda-no-clause",
        "((case-lambda ((a) a) ((a b) b)))",
        Raises("arity-error", "no clause takes 0"),
    ),
    ("case-lambda-is-procedure", "(procedure? (case-lambda ((x) x)))", "#t"),
    (
        "quasiquote-splicing-alone",
        "`,@(list 1 2)",
        Raises("syntax-error", "bad unquote-splicing: ,@ splices into a list"),
    ),
    (
        "quasiquote-splicing-after-dot",
        "`(1 . ,@(list 2 3))",
        Raises("syntax-error", "bad unquote-splicing"),
    ),
    ("quasiquote-unquote-after-dot", "`(1 . ,(+ 1 1))", "(1 . 2)"),
    (
        "quasiquote-nested-unquote-splicing",
        "(let ((x '(a b))) `(1 `(2 ,,@x)))",
        "(1 (quasiquote (2 (unquote a b))))",
    ),
]


@cases(CONDITIONALS)
def test_conditionals(program, expected):
    check(program, expected)


@cases(BINDINGS)
def test_binding_constructs(program, expected):
    check(program, expected)


@cases(SEQUENCING_AND_ITERATION)
def test_sequencing_and_iteration(program, expected):
    check(program, expected)


@cases(LAZY)
def test_delayed_evaluation(program, expected):
    check(program, expected)


@cases(DYNAMIC)
def test_parameterize_guard_quasiquote_case_lambda(program, expected):
    check(program, expected)


FEATURE_EXPANSION = [
    # 4.2.1 / 7.1.1 cond-expand
    ("cond-expand-feature", "(cond-expand (r7rs 'yes) (else 'no))", "yes"),
    (
        "cond-expand-and-not",
        "(cond-expand ((and taskscheme (not no-such-feature)) 1) (else 2))",
        "1",
    ),
    ("cond-expand-or", "(cond-expand ((or no-such-feature ratios) 'ok))", "ok"),
    ("cond-expand-library-never", "(cond-expand ((library (scheme base)) 1) (else 2))", "2"),
    ("cond-expand-else", "(cond-expand (no-such-feature 1) (else 'fallback))", "fallback"),
    ("cond-expand-defines", "(cond-expand (r7rs (define z 5))) z", "5"),
    (
        "cond-expand-no-match",
        "(cond-expand (no-such-feature 1))",
        Raises("syntax-error", "no clause matches"),
    ),
    ("features-lists-r7rs", "(and (memq 'r7rs (features)) #t)", "#t"),
]


@cases(FEATURE_EXPANSION)
def test_cond_expand_and_features(program, expected):
    check(program, expected)
