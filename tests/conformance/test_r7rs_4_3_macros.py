"""R7RS 4.3: define-syntax, let-syntax, letrec-syntax and syntax-rules, and the
extent of taskscheme's hygiene (docs/language.md, "Macro hygiene")."""

from casekit import Raises, cases, check

SWAP = "(define-syntax swap! (syntax-rules () ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))"
MY_OR = (
    "(define-syntax my-or (syntax-rules () ((my-or) #f) ((my-or e) e)"
    " ((my-or e r ...) (let ((t e)) (if t t (my-or r ...))))))"
)

R7RS_EXAMPLES = [
    (
        "let-syntax-given-that",
        "(let-syntax ((given-that (syntax-rules () ((_ test stmt1 stmt2 ...) (if test (begin stmt1 stmt2 ...))))))"
        " (let ((if #t)) (given-that if (set! if 'now)) if))",
        "now",
    ),
    (
        "let-syntax-refers-to-definition-scope",
        "(let ((x 'outer)) (let-syntax ((m (syntax-rules () ((m) x)))) (let ((x 'inner)) (m))))",
        "outer",
    ),
    (
        "letrec-syntax-my-or",
        "(letrec-syntax ((my-or (syntax-rules () ((my-or) #f) ((my-or e) e)"
        " ((my-or e1 e2 ...) (let ((temp e1)) (if temp temp (my-or e2 ...)))))))"
        " (let ((x #f) (y 7) (temp 8) (let odd?) (if even?)) (my-or x (let temp) (if y) y)))",
        "7",
    ),
    (
        "be-like-begin-ellipsis-escape",
        "(define-syntax be-like-begin (syntax-rules () ((be-like-begin name)"
        " (define-syntax name (syntax-rules () ((name expr (... ...)) (begin expr (... ...))))))))"
        " (be-like-begin sequence) (sequence 1 2 3 4)",
        "4",
    ),
    (
        "simple-let-macro",
        "(define-syntax my-let (syntax-rules () ((_ ((n v) ...) body ...) ((lambda (n ...) body ...) v ...))))"
        " (my-let ((a 1) (b 2)) (+ a b))",
        "3",
    ),
    (
        "cond-arrow-literal",
        "(define-syntax my-cond (syntax-rules (else) ((_ (else e)) e) ((_ (c e) rest ...) (if c e (my-cond rest ...)))))"
        " (my-cond (#f 1) (else 2))",
        "2",
    ),
]

PATTERNS = [
    ("no-arguments", "(define-syntax ten (syntax-rules () ((_) 10))) (+ (ten) 1)", "11"),
    (
        "ellipsis-pairs",
        "(define-syntax m (syntax-rules () ((_ (a b) ...) (list (cons a b) ...)))) (m (1 2) (3 4))",
        "((1 . 2) (3 . 4))",
    ),
    (
        "nested-ellipsis",
        "(define-syntax m (syntax-rules () ((_ (a b ...) ...) '((b ... a) ...)))) (m (1 2 3) (4 5))",
        "((2 3 1) (5 4))",
    ),
    (
        "ellipsis-then-tail-pattern",
        "(define-syntax m (syntax-rules () ((_ a ... z) '(z a ...)))) (m 1 2 3 4)",
        "(4 1 2 3)",
    ),
    (
        "ellipsis-matches-zero",
        "(define-syntax m (syntax-rules () ((_ a ...) (list a ...)))) (m)",
        "()",
    ),
    (
        "vector-pattern",
        "(define-syntax m (syntax-rules () ((_ #(a ...)) (list a ...)))) (m #(1 2 3))",
        "(1 2 3)",
    ),
    (
        "dotted-pattern",
        "(define-syntax m (syntax-rules () ((_ a . rest) 'rest))) (m 1 2 3)",
        "(2 3)",
    ),
    (
        "literal-matches",
        "(define-syntax m (syntax-rules (to) ((_ a to b) (list a b)) ((_ a b c) 'other))) (m 1 to 2)",
        "(1 2)",
    ),
    (
        "literal-mismatch-next-rule",
        "(define-syntax m (syntax-rules (to) ((_ a to b) (list a b)) ((_ a b c) 'other))) (m 1 by 2)",
        "other",
    ),
    (
        "datum-patterns",
        '(define-syntax m (syntax-rules () ((_ 1 x) x) ((_ "s" x) (list x)))) (list (m 1 \'a) (m "s" \'b))',
        "(a (b))",
    ),
    ("underscore-ignored", "(define-syntax m (syntax-rules () ((_ _ b) b))) (m 1 2)", "2"),
    (
        "custom-ellipsis",
        "(define-syntax m (syntax-rules ::: () ((_ a :::) (list a :::)))) (m 1 2 3)",
        "(1 2 3)",
    ),
    (
        "recursive-macro",
        "(define-syntax my-let* (syntax-rules () ((_ () body ...) (let () body ...))"
        " ((_ ((x v) rest ...) body ...) (let ((x v)) (my-let* (rest ...) body ...)))))"
        " (my-let* ((a 1) (b (+ a 1))) (* a b))",
        "2",
    ),
    (
        "several-rules",
        "(define-syntax inc! (syntax-rules () ((_ x) (inc! x 1)) ((_ x n) (begin (set! x (+ x n)) x)))) (define c 0) (inc! c) (inc! c 10)",
        "11",
    ),
    (
        "while-loop-macro",
        "(define-syntax while (syntax-rules () ((_ c body ...) (let lp () (when c body ... (lp))))))"
        " (define i 0) (while (< i 10) (set! i (+ i 1))) i",
        "10",
    ),
    (
        "macro-defines-global",
        "(define-syntax my-define (syntax-rules () ((_ n v) (define n v)))) (my-define z 5) z",
        "5",
    ),
    (
        "macro-in-body",
        "(define (f) (define-syntax double (syntax-rules () ((_ x) (* 2 x)))) (double 4)) (f)",
        "8",
    ),
    (
        "macro-expands-to-internal-defines",
        "(define (f) (define-syntax def2 (syntax-rules () ((_ a b) (begin (define a 1) (define b 2))))) (def2 p q) (+ p q)) (f)",
        "3",
    ),
    (
        "no-rule-matches",
        "(define-syntax m (syntax-rules () ((_ a) a))) (m 1 2)",
        Raises("syntax-error", "no syntax-rules pattern of m matches"),
    ),
    (
        "macro-is-not-a-value",
        "(define-syntax m (syntax-rules () ((_) 1))) m",
        Raises("syntax-error", "m is a macro"),
    ),
    (
        "bad-syntax-rules",
        "(define-syntax m (lambda (x) x))",
        Raises("syntax-error", "syntax-rules"),
    ),
    (
        "pattern-variable-without-ellipsis",
        "(define-syntax m (syntax-rules () ((_ a ...) a))) (m 1 2)",
        Raises("syntax-error", "without its ellipsis"),
    ),
    (
        "local-variable-shadows-macro",
        "(define-syntax m (syntax-rules () ((_) 'macro))) (let ((m (lambda () 'proc))) (m))",
        "proc",
    ),
    (
        "local-macro-shadows-variable",
        "(let ((m 1)) (let-syntax ((m (syntax-rules () ((_) 'macro)))) (m)))",
        "macro",
    ),
    ("define-replaces-derived-form", "(define (assert x) (list 'mine x)) (assert #f)", "(mine #f)"),
    (
        "ellipsis-escape-substitutes-pattern-variables",
        "(define-syntax m (syntax-rules () ((_ x) '(... (x ...))))) (m 1)",
        "(1 ...)",
    ),
    (
        "custom-ellipsis-escape",
        "(define-syntax m (syntax-rules ::: () ((_ x :::) '((x ...) :::)))) (m 1 2)",
        "((1 ...) (2 ...))",
    ),
    (
        "custom-ellipsis-escape-makes-it-literal",
        "(define-syntax m (syntax-rules ::: () ((_ x :::) '(::: (x :::))))) (m 1 2)",
        Raises("syntax-error", "pattern variable x is used without its ellipsis"),
    ),
    (
        "custom-ellipsis-with-dots-literal",
        "(define-syntax m (syntax-rules ::: (...) ((_ a ... b :::) '(a b :::)))) (m 1 ... 2 3)",
        "(1 2 3)",
    ),
    (
        "custom-ellipsis-dots-literal-must-match",
        "(define-syntax m (syntax-rules ::: (...) ((_ a ... b :::) '(a b :::)))) (m 1 2 3)",
        Raises("syntax-error", "no syntax-rules pattern of m matches"),
    ),
    (
        "ellipsis-among-literals-is-literal",
        "(define-syntax m (syntax-rules (...) ((_ a ...) 'a))) (m 1 ...)",
        "1",
    ),
]

HYGIENE = [
    (
        "swap-temporary-does-not-capture",
        SWAP + " (let ((tmp 1) (other 2)) (swap! tmp other) (list tmp other))",
        "(2 1)",
    ),
    ("my-or-temporary-does-not-capture", MY_OR + " (let ((t 5)) (my-or #f t))", "5"),
    (
        "template-keywords-mean-definition-site",
        MY_OR
        + " (let ((x #f) (y 7) (temp 8) (let odd?) (if even?)) (my-or x (let temp) (if y) y))",
        "7",
    ),
    (
        "template-global-not-captured-by-local",
        "(define-syntax m (syntax-rules () ((_ x) (list x)))) (let ((list vector)) (m 1))",
        "(1)",
    ),
    (
        "template-calls-procedure-defined-later",
        "(define-syntax m (syntax-rules () ((_ x) (helper x)))) (define (g) (m 1)) (define (helper x) (* x 10)) (g)",
        "10",
    ),
    (
        "local-macro-sees-parameter",
        "(define (f y) (define-syntax m (syntax-rules () ((_) y))) (m)) (f 3)",
        "3",
    ),
    (
        "local-macro-uses-local-macro",
        "(define (f y) (define-syntax m2 (syntax-rules () ((_) y))) (define-syntax m (syntax-rules () ((_) (m2)))) (m)) (f 3)",
        "3",
    ),
    (
        "local-macro-sets-local",
        "(define (f x) (let-syntax ((m (syntax-rules () ((_) (set! x (+ x 1)))))) (m) (m) x)) (f 1)",
        "3",
    ),
    (
        "introduced-definition-is-hidden",
        "(define-syntax def-hidden (syntax-rules () ((_ get) (begin (define hidden 42) (define (get) hidden))))) (def-hidden get-it) (get-it)",
        "42",
    ),
    (
        "introduced-definition-not-visible",
        "(define-syntax def-hidden (syntax-rules () ((_ get) (begin (define hidden 42) (define (get) hidden))))) (def-hidden get-it) hidden",
        Raises("unbound-variable", "hidden"),
    ),
    (
        "quoted-template-symbols-are-plain",
        "(define-syntax m (syntax-rules () ((_ x) '(a x)))) (m 1)",
        "(a 1)",
    ),
    (
        "quasiquoted-template-symbols-are-plain",
        "(define-syntax m (syntax-rules () ((_ x) `(a ,x b)))) (m 1)",
        "(a 1 b)",
    ),
    (
        "nested-quasiquote-in-template",
        "(define-syntax m (syntax-rules () ((_ x) `(a `(b ,(c ,x)))))) (m 1)",
        "(a (quasiquote (b (unquote (c 1)))))",
    ),
    (
        "vector-constant-template-symbols-are-plain",
        "(define-syntax m (syntax-rules () ((_ x) #(a x)))) (let ((v (m 1))) (list v (eq? (vector-ref v 0) 'a)))",
        "(#(a 1) #t)",
    ),
    (
        "assert-in-template-shows-the-template-as-written",
        "(define-syntax positive! (syntax-rules () ((_ x) (assert (> x 0))))) (positive! -1)",
        Raises("error", "assertion failed: (> -1 0)"),
    ),
    (
        "case-data-in-template",
        "(define-syntax m (syntax-rules () ((_ x) (case x ((a) 'got-a) (else 'other))))) (list (m 'a) (m 'b))",
        "(got-a other)",
    ),
    (
        "keyword-parameter-in-template",
        "(define-syntax m (syntax-rules () ((_) (lambda (#:key verbose) verbose)))) ((m) #:verbose 5)",
        "5",
    ),
    (
        "with-context-key-in-template",
        "(define-syntax m (syntax-rules () ((_ v) (with-context ((user v)) (context-ref 'user))))) (m 42)",
        "42",
    ),
    (
        "named-let-in-template",
        "(define-syntax m (syntax-rules () ((_ a) (let loop ((i 0) (acc '())) (if (= i a) acc (loop (+ i 1) (cons i acc))))))) (m 3)",
        "(2 1 0)",
    ),
    (
        "do-in-template",
        "(define-syntax m (syntax-rules () ((_ a) (do ((i 0 (+ i 1)) (acc '() (cons i acc))) ((= i a) acc))))) (m 3)",
        "(2 1 0)",
    ),
    (
        "guard-in-template",
        "(define-syntax m (syntax-rules () ((_ a) (guard (e (#t (list 'caught e))) (raise a))))) (m 'boom)",
        "(caught boom)",
    ),
    (
        "cond-arrow-in-template",
        "(define-syntax m (syntax-rules () ((_ a) (cond ((assv a '((1 . one))) => cdr) (else 'none))))) (list (m 1) (m 2))",
        "(one none)",
    ),
    (
        "record-type-in-template",
        "(define-syntax m (syntax-rules () ((_ mk get) (define-record-type point (mk x y) point? (x get) (y get-y))))) (m make-pt pt-x) (list (pt-x (make-pt 1 2)) (make-pt 1 2))",
        "(1 #<point x: 1 y: 2>)",
    ),
    (
        "template-display-unaffected-by-local",
        '(define-syntax m (syntax-rules () ((_ x) (display x)))) (let ((display 5)) (m "hi") \'ok)',
        "ok",
    ),
    (
        "toplevel-definitions-of-one-use-see-each-other",
        "(define-syntax m (syntax-rules () ((_ name) (begin (define (name) (helper)) (define (helper) 42)))))"
        " (m f) (f)",
        "42",
    ),
    (
        "toplevel-mutual-recursion-from-one-use",
        "(define-syntax parity (syntax-rules () ((_ even) (begin"
        " (define (ev? k) (if (= k 0) #t (od? (- k 1))))"
        " (define (od? k) (if (= k 0) #f (ev? (- k 1)))) (define (even k) (ev? k))))))"
        " (parity my-even?) (list (my-even? 10) (my-even? 7))",
        "(#t #f)",
    ),
    (
        "toplevel-introduced-definition-stays-private",
        "(define helper 1) (define-syntax m (syntax-rules () ((_ name)"
        " (begin (define (name) helper) (define helper 2))))) (m f) (list (f) helper)",
        "(2 1)",
    ),
    ("arrow-defined-as-variable", "(define => #f) (cond (#t => 'ok))", "ok"),
    ("arrow-bound-locally", "(let ((=> #f)) (cond (#t => 'ok)))", "ok"),
    ("else-bound-locally", "(let ((else #f)) (cond (else 'ok) (#t 'other)))", "other"),
    (
        "else-in-template-unaffected-by-local-else",
        "(define-syntax my-if (syntax-rules () ((_ c a b) (cond (c a) (else b)))))"
        " (let ((else #f)) (my-if #f 1 2))",
        "2",
    ),
    (
        "arrow-in-template-unaffected-by-local-arrow",
        "(define-syntax m (syntax-rules () ((_ x) (case x ((1) => (lambda (v) (list v v))) (else 'no)))))"
        " (let ((=> #f)) (m 1))",
        "(1 1)",
    ),
    (
        "guard-else-bound-locally",
        "(let ((else #f)) (guard (e (else 'caught)) (raise 'boom)))",
        Raises("uncaught-raise", "boom"),
    ),
]


@cases(R7RS_EXAMPLES)
def test_r7rs_macro_examples(program, expected):
    check(program, expected)


@cases(PATTERNS)
def test_syntax_rules_patterns(program, expected):
    check(program, expected)


@cases(HYGIENE)
def test_hygiene(program, expected):
    check(program, expected)


SYNTAX_ERRORS = [
    (
        "syntax-error-from-a-rule",
        '(define-syntax pair-only (syntax-rules () ((_ (a b)) \'ok) ((_ x) (syntax-error "expected a pair, got" x))))'
        " (pair-only 5)",
        Raises("syntax-error", "expected a pair, got 5"),
    ),
    (
        "syntax-error-only-when-chosen",
        '(define-syntax pair-only (syntax-rules () ((_ (a b)) \'ok) ((_ x) (syntax-error "expected a pair" x))))'
        " (pair-only (1 2))",
        "ok",
    ),
    (
        "define-syntax-of-a-non-transformer",
        "(define-syntax foo 5)",
        Raises("syntax-error", "bad define-syntax: expected (syntax-rules"),
    ),
    (
        "no-matching-rule-lists-the-forms-it-takes",
        "(define-syntax m (syntax-rules () ((_ a) a) ((_ a b) b))) (m)",
        Raises(
            "syntax-error",
            "no syntax-rules pattern of m matches this use (it takes (m a); (m a b))",
        ),
    ),
]


@cases(SYNTAX_ERRORS)
def test_syntax_error(program, expected):
    check(program, expected)
