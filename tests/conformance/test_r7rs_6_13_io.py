"""R7RS 6.13: input and output, through string ports and the current output port."""

from casekit import Prints, Raises, cases, check

PORTS = [
    (
        "port-predicates",
        '(list (input-port? (open-input-string "")) (output-port? (open-output-string)) (textual-port? (open-input-string "")) (port? (current-output-port)))',
        "(#t #t #t #t)",
    ),
    ("input-port-not-output", '(output-port? (open-input-string ""))', "#f"),
    ("port-open", '(input-port-open? (open-input-string ""))', "#t"),
    ("close-port", '(let ((p (open-input-string "x"))) (close-port p) (input-port-open? p))', "#f"),
    (
        "closed-port-read",
        '(let ((p (open-input-string "x"))) (close-input-port p) (read-char p))',
        Raises("error", "closed port"),
    ),
    (
        "read-char-peek-char",
        '(let ((p (open-input-string "hey"))) (list (read-char p) (peek-char p) (read-char p) (read-char p)))',
        "(#\\h #\\e #\\e #\\y)",
    ),
    ("read-char-eof", '(eof-object? (read-char (open-input-string "")))', "#t"),
    (
        "read-datums",
        '(let ((p (open-input-string "hello (a b) 42"))) (list (read p) (read p) (read p) (eof-object? (read p))))',
        "(hello (a b) 42 #t)",
    ),
    (
        "read-all-datum-kinds",
        '(let ((p (open-input-string "(1 . 2) #(1 2) \\"s\\" #\\\\a \'q"))) (list (read p) (read p) (read p) (read p) (read p)))',
        '((1 . 2) #(1 2) "s" #\\a (quote q))',
    ),
    ("read-skips-datum-comment", '(read (open-input-string "#;(hidden) visible"))', "visible"),
    ("read-empty-is-eof", '(eof-object? (read (open-input-string "")))', "#t"),
    (
        "read-unbalanced",
        '(read (open-input-string "(1 2"))',
        Raises("syntax-error", "never closed"),
    ),
    (
        "read-line",
        '(let ((p (open-input-string "line1\\nline2\\n"))) (list (read-line p) (read-line p) (eof-object? (read-line p))))',
        '("line1" "line2" #t)',
    ),
    (
        "read-string",
        '(let ((p (open-input-string "abcdef"))) (list (read-string 3 p) (read-string 10 p) (eof-object? (read-string 1 p))))',
        '("abc" "def" #t)',
    ),
    ("char-ready", '(char-ready? (open-input-string "a"))', "#t"),
    (
        "eof-object",
        "(list (eof-object) (eof-object? (eof-object)) (eof-object? 'eof))",
        "(#<eof> #t #f)",
    ),
    (
        "output-string-port",
        '(let ((p (open-output-string))) (write \'abc p) (display " " p) (write "x\\ny" p) (write-char #\\z p) (write-string "uv" p) (newline p) (get-output-string p))',
        '"abc \\"x\\\\ny\\"zuv\\n"',
    ),
    (
        "call-with-output-string",
        '(call-with-output-string (lambda (port) (display "hi" port) (write 1 port)))',
        '"hi1"',
    ),
    ("with-output-to-string", '(with-output-to-string (lambda () (display "inside")))', '"inside"'),
    (
        "read-char-from-output-port",
        "(read-char (open-output-string))",
        Raises("type-error", "input port"),
    ),
    (
        "newline-to-input-port",
        '(newline (open-input-string ""))',
        Raises("type-error", "output port"),
    ),
    (
        "display-bad-port",
        "(display 1 2)",
        Raises("type-error", "display: expected an output port as argument 2"),
    ),
    (
        "read-line-crlf",
        '(let ((p (open-input-string "a\\r\\nb\\r\\n"))) (list (read-line p) (read-line p) (eof-object? (read-line p))))',
        '("a" "b" #t)',
    ),
]

OUTPUT = [
    ("write-string-quoted", '(write "a\\nb")', Prints('"a\\nb"')),
    ("display-string-plain", '(display "a\\nb")', Prints("a\nb")),
    ("write-char-literal", "(write #\\a)", Prints("#\\a")),
    ("display-char", "(display #\\a)", Prints("a")),
    ("write-list", '(write \'(1 "a" #\\b))', Prints('(1 "a" #\\b)')),
    ("display-list", '(display \'(1 "a" #\\b))', Prints("(1 a b)")),
    ("write-symbol-bars", "(write '|a b|)", Prints("|a b|")),
    (
        "write-circular-labels",
        "(let ((x (list 1 2))) (set-cdr! (cdr x) x) (write x))",
        Prints("#0=(1 2 . #0#)"),
    ),
    (
        "write-shared-labels-sharing",
        "(write-shared (let ((x (list 1 2))) (list x x)))",
        Prints("(#0=(1 2) #0#)"),
    ),
    (
        "write-shares-nothing-acyclic",
        "(write (let ((x (list 1 2))) (list x x)))",
        Prints("((1 2) (1 2))"),
    ),
    ("write-simple", '(write-simple \'(1 "a" #\\b))', Prints('(1 "a" #\\b)')),
    ("newline", "(newline)", Prints("\n")),
    ("write-char", "(write-char #\\x)", Prints("x")),
    ("write-string", '(write-string "abc")', Prints("abc")),
    ("write-returns-unspecified", "(write 1)", Prints("1", "#<unspecified>")),
    ("flush-output-port", "(flush-output-port)", "#<unspecified>"),
]


@cases(PORTS)
def test_ports(program, expected):
    check(program, expected)


@cases(OUTPUT)
def test_output(program, expected):
    check(program, expected)


PORT_PROCEDURES = [
    ("call-with-port-result", '(call-with-port (open-input-string "abc") read-line)', '"abc"'),
    (
        "call-with-port-closes",
        '(define p (open-input-string "abc")) (call-with-port p read-char) (input-port-open? p)',
        "#f",
    ),
]


@cases(PORT_PROCEDURES)
def test_call_with_port(program, expected):
    check(program, expected)
