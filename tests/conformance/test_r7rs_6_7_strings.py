"""R7RS 6.7: strings. Strings are immutable in taskscheme: string-set!, string-fill! and
string-copy! are errors that say so."""

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
    (
        "string-set-immutable",
        "(string-set! (make-string 3 #\\a) 0 #\\b)",
        Raises("error", "strings are immutable"),
    ),
    (
        "string-fill-immutable",
        "(string-fill! (make-string 3) #\\a)",
        Raises("error", "strings are immutable"),
    ),
    (
        "string-copy-into-immutable",
        '(let ((s (make-string 3 #\\x))) (string-copy! s 0 "ab") s)',
        Raises("error", "strings are immutable"),
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
