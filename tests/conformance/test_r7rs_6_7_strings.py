"""R7RS 6.7: strings. Strings a program makes (make-string, string-copy, string-append,
...) can be changed with string-set!, string-fill! and string-copy!; a literal is a
constant, and changing it is an error that says so."""

from casekit import Raises, cases, check

ROWS = [
    ("string-literal", '"abc"', '"abc"'),
    ("string-escapes", '"tab\\there\\n"', '"tab\\there\\n"'),
    ("string-quote-backslash", '"a\\"b\\\\c"', '"a\\"b\\\\c"'),
    ("string-hex-escape", '"\\x41;bc"', '"Abc"'),
    ("string-line-continuation", '"a\\\n     b"', '"ab"'),
    ("string-hex-escape-needs-semicolon", '"\\x41"', Raises("syntax-error", "closing ';'")),
    ("string-unknown-escape", '"\\q"', Raises("syntax-error", "unknown string escape")),
    ("string-unicode-length", '(string-length "λx")', "2"),
    ("string-predicate", '(list (string? "a") (string? #\\a) (string? \'a))', "(#t #f #f)"),
    ("make-string", "(make-string 3 #\\a)", '"aaa"'),
    ("string-from-chars", "(string #\\a #\\b)", '"ab"'),
    ("string-length", '(string-length "abc")', "3"),
    ("string-ref", '(string-ref "abc" 1)', "#\\b"),
    (
        "string-ref-out-of-range",
        '(string-ref "abc" 5)',
        Raises("error", "index 5 is out of range for a string of length 3"),
    ),
    (
        "string-ref-inexact-index",
        '(string-ref "abc" 1.0)',
        Raises("type-error", "exact integer index"),
    ),
    ("string-set", "(let ((s (make-string 3 #\\a))) (string-set! s 0 #\\b) s)", '"baa"'),
    (
        "string-set-literal",
        '(string-set! "abc" 0 #\\b)',
        Raises("type-error", "it is a literal (constant) string"),
    ),
    (
        "string-set-out-of-range",
        "(string-set! (make-string 3) 3 #\\b)",
        Raises("error", "index 3 is out of range for a string of length 3"),
    ),
    ("string-set-not-a-char", "(string-set! (make-string 3) 0 1)", Raises("type-error", "char")),
    ("string-fill", "(let ((s (make-string 3))) (string-fill! s #\\a) s)", '"aaa"'),
    (
        "string-fill-range",
        '(let ((s (string-copy "abcde"))) (string-fill! s #\\z 1 3) s)',
        '"azzde"',
    ),
    ("string-fill-literal", '(string-fill! "abc" #\\a)', Raises("type-error", "literal")),
    (
        "string-copy-into",
        '(let ((s (make-string 5 #\\x))) (string-copy! s 1 "abc" 1) s)',
        '"xbcxx"',
    ),
    (
        "string-copy-into-overlapping-forward",
        '(let ((s (string-copy "abcdef"))) (string-copy! s 2 s 0 4) s)',
        '"ababcd"',
    ),
    (
        "string-copy-into-overlapping-backward",
        '(let ((s (string-copy "abcdef"))) (string-copy! s 0 s 2) s)',
        '"cdefef"',
    ),
    (
        "string-copy-into-too-long",
        '(string-copy! (make-string 2) 1 "abc")',
        Raises("error", "3 characters do not fit in a string of length 2 from index 1"),
    ),
    (
        "string-copy-into-literal",
        '(string-copy! "abc" 0 "x")',
        Raises("type-error", "literal"),
    ),
    (
        "string-copy-is-a-copy",
        '(let* ((a (string-copy "abc")) (b (string-copy a))) (string-set! b 0 #\\z) (list a b))',
        '("abc" "zbc")',
    ),
    (
        "mutable-strings-made-by-procedures",
        """(map (lambda (s) (string-set! s 0 #\\Z) s)
                (list (string #\\a) (list->string '(#\\a)) (string-append "a" "b")
                      (substring "abc" 1) (vector->string #(#\\a)) (utf8->string #u8(97))
                      (number->string 42) (symbol->string 'abc) (string-upcase "q")))""",
        '("Z" "Z" "Zb" "Zc" "Z" "Z" "Z2" "Zbc" "Z")',
    ),
    (
        "symbol-name-unchanged-by-its-string",
        "(let ((s (symbol->string 'abc))) (string-set! s 0 #\\z) (list s 'abc))",
        '("zbc" abc)',
    ),
    ("string-equal-many", '(string=? "a" "a" "a")', "#t"),
    (
        "string-less",
        '(list (string<? "a" "b") (string<? "abc" "abd") (string<? "ab" "abc"))',
        "(#t #t #t)",
    ),
    (
        "string-greater",
        '(list (string>? "b" "a") (string>=? "a" "a") (string<=? "a" "b"))',
        "(#t #t #t)",
    ),
    ("string-ci", '(list (string-ci=? "Ab" "aB") (string-ci<? "a" "B"))', "(#t #t)"),
    ("string-compare-type-error", '(string=? "a" \'a)', Raises("type-error", "string=?")),
    ("string-upcase", '(string-upcase "abc")', '"ABC"'),
    ("string-downcase", '(string-downcase "ABC")', '"abc"'),
    ("string-foldcase", '(string-foldcase "ABC")', '"abc"'),
    ("string-upcase-sharp-s", '(string-upcase "straße")', '"STRASSE"'),
    ("substring", '(substring "hello" 1 3)', '"el"'),
    ("substring-bad-range", '(substring "abc" 2 1)', Raises("error", "out of bounds")),
    ("string-append", '(string-append "a" "b" "c")', '"abc"'),
    ("string-append-none", "(string-append)", '""'),
    ("string-to-list", '(string->list "abc")', "(#\\a #\\b #\\c)"),
    ("string-to-list-start", '(string->list "abcde" 2)', "(#\\c #\\d #\\e)"),
    ("string-to-list-range", '(string->list "abcde" 1 3)', "(#\\b #\\c)"),
    ("list-to-string", "(list->string '(#\\a #\\b))", '"ab"'),
    ("string-copy-start", '(string-copy "hello" 1)', '"ello"'),
    ("string-copy-range", '(string-copy "hello" 1 3)', '"el"'),
    ("string-to-vector", '(string->vector "abc")', "#(#\\a #\\b #\\c)"),
    ("vector-to-string", "(vector->string #(#\\a #\\b))", '"ab"'),
    ("string-map", '(string-map char-upcase "abc")', '"ABC"'),
    (
        "string-map-two-strings",
        '(string-map (lambda (a b) (if (char<? a b) a b)) "adc" "bbb")',
        '"abb"',
    ),
    (
        "string-for-each",
        '(let ((r \'())) (string-for-each (lambda (c) (set! r (cons c r))) "abc") r)',
        "(#\\c #\\b #\\a)",
    ),
    ("string-utf8", '(list (string->utf8 "λ") (utf8->string #u8(206 187)))', '(#u8(206 187) "λ")'),
]


@cases(ROWS)
def test_strings(program, expected):
    check(program, expected)
