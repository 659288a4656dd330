"""R7RS 6.11: exceptions. Handlers run where `raise`, `raise-continuable` or `error`
happened, in that dynamic environment minus the handler itself; an error signalled by a
primitive or the evaluator reaches the handler once the stack has unwound to the
`with-exception-handler` call."""

from casekit import Prints, Raises, cases, check

ROWS = [
    (
        "handler-runs-before-unwinding",
        '(call/cc (lambda (k) (with-exception-handler (lambda (e) (display "[handler]") (k e))'
        ' (lambda () (dynamic-wind (lambda () (display "[in]")) (lambda () (raise \'x))'
        ' (lambda () (display "[out]")))))))',
        Prints("[in][handler][out]", "x"),
    ),
    (
        "handler-sees-raise-dynamic-environment",
        "(define p (make-parameter 1))"
        " (call/cc (lambda (k) (with-exception-handler (lambda (e) (k (p)))"
        " (lambda () (parameterize ((p 2)) (raise 'x))))))",
        "2",
    ),
    (
        "handler-for-error-procedure-runs-at-raise",
        "(call/cc (lambda (k) (with-exception-handler (lambda (e) (k (error-object-message e)))"
        ' (lambda () (error "boom" 1)))))',
        '"boom"',
    ),
    (
        "handler-raise-is-not-handled-by-itself",
        "(guard (e (#t e)) (with-exception-handler (lambda (e) (raise (list 'wrapped e)))"
        " (lambda () (raise 'inner))))",
        "(wrapped inner)",
    ),
    (
        "handler-raise-from-continuable-not-handled-by-itself",
        "(guard (e (#t (list 'g e))) (with-exception-handler (lambda (e) (raise-continuable 'again))"
        " (lambda () (raise 'first))))",
        "(g again)",
    ),
    (
        "handler-returning-goes-to-outer-handler",
        "(define log '())"
        " (guard (e (#t (reverse log))) (with-exception-handler (lambda (e) (set! log (cons 'outer log)) 'o)"
        " (lambda () (with-exception-handler (lambda (e) (set! log (cons (list 'inner e) log)) 'i)"
        " (lambda () (raise 'x))))))",
        "((inner x) outer)",
    ),
    (
        "nested-continuable-handlers",
        "(with-exception-handler (lambda (e) 42) (lambda () (with-exception-handler"
        " (lambda (e) (+ 1 (raise-continuable e))) (lambda () (raise-continuable 0)))))",
        "43",
    ),
    (
        "handler-escapes-with-continuation",
        "(call-with-current-continuation (lambda (k) (with-exception-handler"
        ' (lambda (e) (display "condition: ") (write e) (newline) (k \'exception))'
        " (lambda () (+ 1 (raise 'an-error))))))",
        Prints("condition: an-error\n", "exception"),
    ),
    (
        "handler-returns-from-raise-is-error",
        '(with-exception-handler (lambda (e) (display "something went wrong\\n")) (lambda () (+ 1 (raise \'an-error))))',
        Raises("error", "handler returned from a non-continuable"),
    ),
    (
        "raise-continuable-r7rs",
        '(with-exception-handler (lambda (con) (cond ((string? con) (display con)) (else (display "a warning has been issued"))) 42)'
        ' (lambda () (+ (raise-continuable "should be a number") 23)))',
        Prints("should be a number", "65"),
    ),
    (
        "raise-continuable-value",
        "(with-exception-handler (lambda (e) 0) (lambda () (+ 1 (raise-continuable 'x))))",
        "1",
    ),
    (
        "raise-continuable-nested-handlers",
        "(with-exception-handler (lambda (e) (+ e 1)) (lambda () (with-exception-handler"
        " (lambda (e) (raise-continuable (* e 10))) (lambda () (raise-continuable 2)))))",
        "21",
    ),
    (
        "handler-raise-goes-to-outer",
        "(guard (e (#t e)) (with-exception-handler (lambda (e) (raise (list 'wrapped e))) (lambda () (raise 'inner))))",
        "(wrapped inner)",
    ),
    (
        "handler-sees-primitive-error",
        "(call/cc (lambda (k) (with-exception-handler (lambda (e) (k (error-object? e))) (lambda () (car '())))))",
        "#t",
    ),
    (
        "handler-must-be-procedure",
        "(with-exception-handler 5 (lambda () 1))",
        Raises("type-error", "with-exception-handler"),
    ),
    ("raise-symbol-uncaught", "(raise 'some-symbol)", Raises("uncaught-raise", "some-symbol")),
    ("raise-list-uncaught", "(raise (list 1 2))", Raises("uncaught-raise", "(1 2)")),
    (
        "raise-caught-by-guard",
        "(guard (e ((symbol? e) (list 'sym e))) (raise 'boom))",
        "(sym boom)",
    ),
    ("raise-number", "(guard (e ((number? e) (* e 2))) (raise 21))", "42"),
    (
        "error-message-and-irritants",
        '(error "Something bad:" 42 \'foo "str")',
        Raises("error", 'Something bad: 42 foo "str"'),
    ),
    (
        "error-object-message",
        '(guard (e (#t (error-object-message e))) (error "msg" \'a 2))',
        '"msg"',
    ),
    (
        "error-object-irritants",
        '(guard (e (#t (error-object-irritants e))) (error "msg" \'a 2 "s"))',
        '(a 2 "s")',
    ),
    (
        "error-object-predicate",
        "(list (error-object? 'x) (guard (e (#t (error-object? e))) (error \"x\")) (guard (e (#t (error-object? e))) (raise 'x)))",
        "(#f #t #f)",
    ),
    (
        "error-object-from-primitive",
        "(guard (e ((error-object? e) (error-object-message e))) (vector-ref (vector) 1))",
        '"vector-ref: index 1 is out of range for a vector of length 0 (the vector is empty)"',
    ),
    (
        "file-error-predicate",
        '(guard (e ((file-error? e) \'file)) (open-input-file "/nonexistent/zzz"))',
        "file",
    ),
    (
        "read-error-predicate",
        '(guard (e ((read-error? e) \'read)) (read (open-input-string "(1 2")))',
        "read",
    ),
    (
        "read-error-not-file-error",
        "(guard (e ((file-error? e) 'file) ((read-error? e) 'read)) (read (open-input-string \")\")))",
        "read",
    ),
    (
        "error-object-message-type-error",
        "(error-object-message 'x)",
        Raises("type-error", "error-object-message"),
    ),
    (
        "error-non-string-message",
        '(guard (e (#t (error-object-message e))) (error \'my-proc "went wrong"))',
        '"my-proc"',
    ),
    (
        "guard-error-in-handler-clause-propagates",
        "(guard (e (#t (car '()))) (raise 'x))",
        Raises("type-error", "car"),
    ),
    ("guard-arity-error", "(guard (e ((error-object? e) 'arity)) ((lambda (x) x)))", "arity"),
    (
        "guard-unbound-variable",
        "(guard (e ((error-object? e) 'unbound)) (undefined-thing))",
        "unbound",
    ),
    (
        "guard-within-loop",
        "(let loop ((i 0) (n 0)) (if (= i 100) n (loop (+ i 1) (+ n (guard (e (#t 1)) (raise 'x))))))",
        "100",
    ),
    (
        "error-who-form-reads-who-colon-message",
        '(guard (e (#t (error-message-string e))) (error \'my-proc "went wrong:" 42))',
        '"my-proc: went wrong: 42"',
    ),
]


@cases(ROWS)
def test_exceptions(program, expected):
    check(program, expected)
