"""R7RS 6.8 vectors and 6.9 bytevectors."""

from casekit import Raises, cases, check

VECTORS = [
    ("vector-literal", '#(0 (2 2 2 2) "Anna")', '#(0 (2 2 2 2) "Anna")'),
    ("vector-predicate", '(list (vector? #(1)) (vector? \'(1)) (vector? "a"))', "(#t #f #f)"),
    ("make-vector-fill", "(make-vector 2 'a)", "#(a a)"),
    ("vector-constructor", "(vector 'a 'b 'c)", "#(a b c)"),
    ("vector-ref", "(vector-ref '#(1 1 2 3 5 8 13 21) 5)", "8"),
    (
        "vector-ref-out-of-range",
        "(vector-ref #(1 2) 2)",
        Raises("error", "index 2 is out of range for a vector of length 2"),
    ),
    ("vector-ref-type-error", "(vector-ref '(1 2) 0)", Raises("type-error", "vector-ref")),
    ("vector-length", "(vector-length #(1 2 3))", "3"),
    (
        "vector-set",
        '(let ((vec (vector 0 \'(2 2 2 2) "Anna"))) (vector-set! vec 1 \'("Sue" "Sue")) vec)',
        '#(0 ("Sue" "Sue") "Anna")',
    ),
    ("vector-set-literal", '(vector-set! \'#(0 1 2) 1 "doe")', Raises("error", "literal constant")),
    ("vector-to-list", "(vector->list '#(dah dah didah))", "(dah dah didah)"),
    ("vector-to-list-start", "(vector->list '#(dah dah didah) 1)", "(dah didah)"),
    ("vector-to-list-range", "(vector->list '#(dah dah didah) 1 2)", "(dah)"),
    ("list-to-vector", "(list->vector '(dididit dah))", "#(dididit dah)"),
    (
        "vector-copy",
        "(let* ((a #(1 8 2 8)) (b (vector-copy a))) (vector-set! b 0 3) b)",
        "#(3 8 2 8)",
    ),
    ("vector-copy-range", "(vector-copy #(1 8 2 8) 1 3)", "#(8 2)"),
    (
        "vector-copy-bang",
        "(let ((a (vector 1 2 3 4 5)) (b (vector 10 20 30 40 50))) (vector-copy! b 1 a 0 2) b)",
        "#(10 1 2 40 50)",
    ),
    (
        "vector-copy-bang-overlap",
        "(let ((a (vector 1 2 3 4 5))) (vector-copy! a 1 a 0 3) a)",
        "#(1 1 2 3 5)",
    ),
    ("vector-append", "(vector-append #(a b c) #(d e f))", "#(a b c d e f)"),
    (
        "vector-fill-range",
        "(let ((a (vector 1 2 3 4 5))) (vector-fill! a 'smash 2 4) a)",
        "#(1 2 smash smash 5)",
    ),
    ("vector-map", "(vector-map cadr '#((a b) (d e) (g h)))", "#(b e h)"),
    ("vector-map-two", "(vector-map + #(1 2) #(10 20))", "#(11 22)"),
    (
        "vector-for-each",
        "(let ((v (make-vector 5))) (vector-for-each (lambda (i) (vector-set! v i (* i i))) #(0 1 2 3 4)) v)",
        "#(0 1 4 9 16)",
    ),
    ("vector-empty", "(vector)", "#()"),
]

BYTEVECTORS = [
    ("bytevector-predicate", "(list (bytevector? #u8(1)) (bytevector? #(1)))", "(#t #f)"),
    ("make-bytevector", "(make-bytevector 2 12)", "#u8(12 12)"),
    ("bytevector-constructor", "(bytevector 1 3 5 1 3 5)", "#u8(1 3 5 1 3 5)"),
    ("bytevector-empty", "(bytevector)", "#u8()"),
    ("bytevector-ref", "(bytevector-u8-ref '#u8(1 1 2 3 5 8 13 21) 5)", "8"),
    (
        "bytevector-set",
        "(let ((bv (bytevector 1 2 3 4))) (bytevector-u8-set! bv 1 3) bv)",
        "#u8(1 3 3 4)",
    ),
    ("bytevector-length", "(bytevector-length #u8(1 2))", "2"),
    ("bytevector-copy", "(bytevector-copy #u8(1 2 3 4 5) 2)", "#u8(3 4 5)"),
    ("bytevector-append", "(bytevector-append #u8(0 1 2) #u8(3 4 5))", "#u8(0 1 2 3 4 5)"),
    ("bytevector-bad-byte", "(bytevector 256)", Raises("type-error", "byte")),
    ("bytevector-literal-bad-byte", "#u8(1 300)", Raises("syntax-error", "0 to 255")),
    (
        "bytevector-copy!",
        "(let ((a (bytevector 1 2 3 4 5)) (b (bytevector 10 20 30 40 50))) (bytevector-copy! b 1 a 0 2) b)",
        "#u8(10 1 2 40 50)",
    ),
    (
        "bytevector-copy!-overlapping",
        "(let ((a (bytevector 1 2 3 4 5))) (bytevector-copy! a 1 a 0 3) a)",
        "#u8(1 1 2 3 5)",
    ),
    (
        "bytevector-copy!-whole",
        "(let ((a (make-bytevector 3 0))) (bytevector-copy! a 0 #u8(7 8 9)) a)",
        "#u8(7 8 9)",
    ),
    (
        "bytevector-copy!-too-long",
        "(bytevector-copy! (make-bytevector 2 0) 1 #u8(1 2))",
        Raises("error", "bytevector-copy!"),
    ),
    (
        "bytevector-copy!-into-literal",
        "(bytevector-copy! #u8(0 0) 0 #u8(1))",
        Raises("error", "literal constant"),
    ),
]


@cases(VECTORS)
def test_vectors(program, expected):
    check(program, expected)


@cases(BYTEVECTORS)
def test_bytevectors(program, expected):
    check(program, expected)
