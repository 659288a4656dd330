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
        Raises("type-error", "display: expected a textual output port as argument 2"),
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
    (
        "flush-binary-output-port",
        "(let ((out (open-output-bytevector))) (write-u8 1 out) (flush-output-port out)"
        " (get-output-bytevector out))",
        "#u8(1)",
    ),
    (
        "flush-not-a-port",
        "(flush-output-port 5)",
        Raises("type-error", "flush-output-port: expected an output port"),
    ),
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


BINARY_PORTS = [
    (
        "bytevector-port-predicates",
        "(let ((in (open-input-bytevector (bytevector 1))) (out (open-output-bytevector))) "
        "(list (binary-port? in) (binary-port? out) (textual-port? in) (input-port? in) "
        "(output-port? out) (port? in) (input-port? out)))",
        "(#t #t #f #t #t #t #f)",
    ),
    (
        "string-ports-are-textual",
        '(list (textual-port? (open-input-string "")) (binary-port? (open-output-string)))',
        "(#t #f)",
    ),
    (
        "read-u8-peek-u8",
        "(let ((p (open-input-bytevector (bytevector 1 2 3)))) "
        "(list (peek-u8 p) (read-u8 p) (read-u8 p) (peek-u8 p) (read-u8 p) (eof-object? (read-u8 p)) (eof-object? (peek-u8 p))))",
        "(1 1 2 3 3 #t #t)",
    ),
    ("u8-ready", "(u8-ready? (open-input-bytevector (bytevector 1)))", "#t"),
    (
        "read-bytevector",
        "(let ((p (open-input-bytevector (bytevector 1 2 3 4 5)))) "
        "(list (read-bytevector 2 p) (read-bytevector 10 p) (eof-object? (read-bytevector 1 p)) (read-bytevector 0 p)))",
        "(#u8(1 2) #u8(3 4 5) #t #u8())",
    ),
    (
        "read-bytevector-after-peek",
        "(let ((p (open-input-bytevector (bytevector 7 8 9)))) (peek-u8 p) (read-bytevector 2 p))",
        "#u8(7 8)",
    ),
    (
        "read-bytevector!",
        "(let ((p (open-input-bytevector (bytevector 1 2 3))) (bv (make-bytevector 5 0))) "
        "(list (read-bytevector! bv p 1 3) (bytevector-copy bv) (read-bytevector! bv p) bv (eof-object? (read-bytevector! bv p))))",
        "(2 #u8(0 1 2 0 0) 1 #u8(3 1 2 0 0) #t)",
    ),
    (
        "read-bytevector!-into-literal",
        "(read-bytevector! #u8(0 0) (open-input-bytevector (bytevector 1)))",
        Raises("error", "literal constant"),
    ),
    (
        "write-u8-write-bytevector",
        "(let ((p (open-output-bytevector))) (write-u8 65 p) (write-bytevector (bytevector 1 2 3 4) p 1 3) "
        "(write-bytevector #u8(9) p) (get-output-bytevector p))",
        "#u8(65 2 3 9)",
    ),
    (
        "get-output-bytevector-is-a-copy",
        "(let* ((p (open-output-bytevector)) (a (begin (write-u8 1 p) (get-output-bytevector p)))) "
        "(write-u8 2 p) (list a (get-output-bytevector p)))",
        "(#u8(1) #u8(1 2))",
    ),
    (
        "open-input-bytevector-copies",
        "(let* ((bv (bytevector 1 2)) (p (open-input-bytevector bv))) (bytevector-u8-set! bv 0 9) (read-u8 p))",
        "1",
    ),
    (
        "read-u8-from-textual-port",
        '(read-u8 (open-input-string "a"))',
        Raises("type-error", "expected a binary input port"),
    ),
    (
        "read-char-from-binary-port",
        "(read-char (open-input-bytevector (bytevector 65)))",
        Raises("type-error", "expected a textual input port"),
    ),
    (
        "write-u8-not-a-byte",
        "(write-u8 256 (open-output-bytevector))",
        Raises("type-error", "expected a byte"),
    ),
    (
        "write-string-to-binary-port",
        '(write-string "a" (open-output-bytevector))',
        Raises("type-error", "expected a textual output port"),
    ),
    (
        "get-output-bytevector-of-string-port",
        "(get-output-bytevector (open-output-string))",
        Raises("type-error", "expected a bytevector output port"),
    ),
    (
        "closed-binary-port",
        "(let ((p (open-input-bytevector (bytevector 1)))) (close-input-port p) (list (input-port-open? p) (guard (e (#t 'refused)) (read-u8 p))))",
        "(#f refused)",
    ),
    (
        "close-binary-output-port",
        "(let ((p (open-output-bytevector))) (close-port p) (output-port-open? p))",
        "#f",
    ),
    (
        "call-with-port-binary",
        "(call-with-port (open-input-bytevector (bytevector 5 6)) read-u8)",
        "5",
    ),
    (
        "write-binary-port",
        "(let ((s (open-output-string))) (write (open-output-bytevector) s) (get-output-string s))",
        '"#<binary-output-port bytevector>"',
    ),
]


@cases(BINARY_PORTS)
def test_binary_ports(program, expected):
    check(program, expected)


def test_binary_file_round_trip(tmp_path):
    path = tmp_path / "data.bin"
    check(
        f'(call-with-port (open-binary-output-file "{path}") (lambda (p) (write-bytevector (bytevector 0 255 10 13) p)))'
        f' (call-with-port (open-binary-input-file "{path}") (lambda (p) (list (binary-port? p) (read-bytevector 10 p))))',
        "(#t #u8(0 255 10 13))",
    )
    assert path.read_bytes() == bytes([0, 255, 10, 13])
