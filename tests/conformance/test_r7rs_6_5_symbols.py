"""R7RS 6.5: symbols."""

from casekit import Raises, cases, check

ROWS = [
    ("symbol-quoted", "(symbol? 'foo)", "#t"),
    ("symbol-car", "(symbol? (car '(a b)))", "#t"),
    ("symbol-string", '(symbol? "bar")', "#f"),
    ("symbol-nil", "(symbol? 'nil)", "#t"),
    ("symbol-empty-list", "(symbol? '())", "#f"),
    ("symbol-false", "(symbol? #f)", "#f"),
    ("symbol-equal-many", "(symbol=? 'a 'a 'a)", "#t"),
    ("symbol-equal-differs", "(symbol=? 'a 'b)", "#f"),
    ("symbol-equal-type-error", '(symbol=? \'a "a")', Raises("type-error", "symbol=?")),
    ("symbol-to-string", "(symbol->string 'flying-fish)", '"flying-fish"'),
    ("symbol-case-sensitive", "(symbol->string 'Martin)", '"Martin"'),
    ("symbol-round-trip", '(symbol->string (string->symbol "Malvina"))', '"Malvina"'),
    ("string-to-symbol-mixed-case", '(string->symbol "mISSISSIppi")', "mISSISSIppi"),
    ("string-to-symbol-interned", '(eq? \'bitBlt (string->symbol "bitBlt"))', "#t"),
    ("symbol-string-symbol", "(eq? 'LolliPop (string->symbol (symbol->string 'LolliPop)))", "#t"),
    (
        "string-symbol-string",
        '(string=? "K. Harper, M.D." (symbol->string (string->symbol "K. Harper, M.D.")))',
        "#t",
    ),
    ("bar-symbol-with-space", "'|hello world|", "|hello world|"),
    ("bar-symbol-escape", "(symbol->string '|a\\x41;b|)", '"aAb"'),
    ("empty-symbol", '(string->symbol "")', "||"),
    ("numeric-symbol-written-with-bars", '(string->symbol "1")', "|1|"),
    (
        "peculiar-identifiers",
        "(list 'a.b '->x '+ '- '... '1+ '+a '.a)",
        "(a.b ->x + - ... 1+ +a .a)",
    ),
    ("string-to-symbol-type-error", "(string->symbol 'a)", Raises("type-error", "string->symbol")),
]


@cases(ROWS)
def test_symbols(program, expected):
    check(program, expected)
