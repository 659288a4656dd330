"""R7RS 6.2: numbers. taskscheme has exact integers, exact rationals and floats
(no complex numbers); the spec's examples are checked where they apply."""

from casekit import Raises, cases, check

SYNTAX = [
    ("integer", "42", "42"),
    ("negative-integer", "-17", "-17"),
    ("big-integer", "123456789012345678901234567890", "123456789012345678901234567890"),
    ("rational-normalized", "6/4", "3/2"),
    ("rational-negative", "-1/2", "-1/2"),
    ("rational-integer-valued", "4/2", "2"),
    ("decimal", "1.5", "1.5"),
    ("decimal-leading-dot", ".5", "0.5"),
    ("decimal-trailing-dot", "1.", "1.0"),
    ("exponent", "1e3", "1000.0"),
    ("hex", "#x1F", "31"),
    ("hex-negative", "#x-ff", "-255"),
    ("binary", "#b101", "5"),
    ("octal", "#o17", "15"),
    ("explicit-decimal", "#d10", "10"),
    ("exact-prefix", "#e1.5", "3/2"),
    ("inexact-prefix", "#i3/4", "0.75"),
    ("infinities", "(list +inf.0 -inf.0)", "(+inf.0 -inf.0)"),
    ("nan", "+nan.0", "+nan.0"),
    ("bad-prefixed-number", "#xZZ", Raises("syntax-error", "bad number syntax")),
    ("symbol-like-number", "(symbol? '1+)", "#t"),
]

PREDICATES = [
    ("complex-includes-integers", "(complex? 3)", "#t"),
    ("real-integer", "(real? 3)", "#t"),
    ("real-float", "(real? 1.5)", "#t"),
    ("rational-fraction", "(rational? 6/10)", "#t"),
    ("rational-integer-fraction", "(rational? 6/3)", "#t"),
    ("rational-infinity", "(rational? +inf.0)", "#f"),
    ("integer-float", "(integer? 3.0)", "#t"),
    ("integer-fraction", "(integer? 8/4)", "#t"),
    ("integer-non-integral", "(integer? 3.5)", "#f"),
    ("exact-float", "(exact? 3.0)", "#f"),
    ("exact-prefixed", "(exact? #e3.0)", "#t"),
    ("inexact-float", "(inexact? 3.)", "#t"),
    ("exact-integer-int", "(exact-integer? 32)", "#t"),
    ("exact-integer-float", "(exact-integer? 32.0)", "#f"),
    ("exact-integer-rational", "(exact-integer? 32/5)", "#f"),
    ("finite", "(list (finite? 3) (finite? +inf.0))", "(#t #f)"),
    ("infinite", "(list (infinite? -inf.0) (infinite? 3.0))", "(#t #f)"),
    ("nan-predicate", "(list (nan? +nan.0) (nan? 32))", "(#t #f)"),
    (
        "number-predicate",
        "(list (number? 1) (number? 1/2) (number? 1.5) (number? 'a))",
        "(#t #t #t #f)",
    ),
    ("zero", "(list (zero? 0) (zero? -0.0) (zero? 1/2))", "(#t #t #f)"),
    ("positive-negative", "(list (positive? 1) (negative? -1/2) (positive? 0))", "(#t #t #f)"),
    ("odd-even", "(list (odd? 3) (even? 0) (even? 2.0) (odd? -1))", "(#t #t #t #t)"),
    ("exact-predicate-type-error", "(exact? 'a)", Raises("type-error", "exact?")),
]

ARITHMETIC = [
    ("equal-mixed-exactness", "(= 1 1.0)", "#t"),
    ("less-chain", "(list (< 1 2 3) (< 1 3 2))", "(#t #f)"),
    ("greater-equal-chain", "(>= 3 3 2)", "#t"),
    ("rational-float-compare", "(= 1/2 0.5)", "#t"),
    ("compare-type-error", "(< 1 'a)", Raises("type-error", "<: expected a number as argument 2")),
    ("max-exact", "(max 3 4)", "4"),
    ("max-inexact-contagion", "(max 3.9 4)", "4.0"),
    ("min-inexact-contagion", "(min 1 2.0)", "1.0"),
    ("max-rationals", "(max 1/2 1/3)", "1/2"),
    ("plus", "(+ 3 4)", "7"),
    ("plus-one", "(+ 3)", "3"),
    ("plus-none", "(+)", "0"),
    ("times-one", "(* 4)", "4"),
    ("times-none", "(*)", "1"),
    ("minus", "(- 3 4)", "-1"),
    ("minus-many", "(- 3 4 5)", "-6"),
    ("negate", "(- 3)", "-3"),
    ("divide-to-rational", "(/ 3 4 5)", "3/20"),
    ("reciprocal", "(/ 3)", "1/3"),
    ("divide-exact-integer", "(/ 6 3)", "2"),
    ("rational-sum-integer", "(+ 1/2 1/2)", "1"),
    ("rational-times-integer", "(* 1/3 3)", "1"),
    ("float-contagion", "(+ 1/2 0.5)", "1.0"),
    ("bignum-product", "(* 99999999999 99999999999)", "9999999999800000000001"),
    ("divide-by-exact-zero", "(/ 1 0)", Raises("error", "division by zero")),
    ("divide-float-by-zero", "(/ 1.0 0)", "+inf.0"),
    (
        "plus-type-error",
        "(+ 'a 1)",
        Raises("type-error", "+: expected a number as argument 1, got a"),
    ),
    ("abs-integer", "(abs -7)", "7"),
    ("abs-rational", "(abs -7/2)", "7/2"),
    ("abs-float", "(abs -7.5)", "7.5"),
    ("floor-division-pos", "(call-with-values (lambda () (floor/ 5 2)) list)", "(2 1)"),
    ("floor-division-neg-dividend", "(call-with-values (lambda () (floor/ -5 2)) list)", "(-3 1)"),
    ("floor-division-neg-divisor", "(call-with-values (lambda () (floor/ 5 -2)) list)", "(-3 -1)"),
    ("floor-division-both-neg", "(call-with-values (lambda () (floor/ -5 -2)) list)", "(2 -1)"),
    ("truncate-division-pos", "(call-with-values (lambda () (truncate/ 5 2)) list)", "(2 1)"),
    (
        "truncate-division-neg-dividend",
        "(call-with-values (lambda () (truncate/ -5 2)) list)",
        "(-2 -1)",
    ),
    (
        "truncate-division-neg-divisor",
        "(call-with-values (lambda () (truncate/ 5 -2)) list)",
        "(-2 1)",
    ),
    (
        "truncate-division-both-neg",
        "(call-with-values (lambda () (truncate/ -5 -2)) list)",
        "(2 -1)",
    ),
    (
        "truncate-division-inexact",
        "(call-with-values (lambda () (truncate/ -5.0 2)) list)",
        "(-2.0 -1.0)",
    ),
    ("floor-quotient-remainder", "(list (floor-quotient 5 2) (floor-remainder -5 2))", "(2 1)"),
    (
        "truncate-quotient-remainder",
        "(list (truncate-quotient -5 2) (truncate-remainder -5 2))",
        "(-2 -1)",
    ),
    (
        "modulo-remainder-r7rs",
        "(list (modulo 13 4) (remainder 13 4) (modulo -13 4) (remainder -13 4))",
        "(1 1 3 -1)",
    ),
    (
        "modulo-remainder-neg-divisor",
        "(list (modulo 13 -4) (remainder 13 -4) (modulo -13 -4) (remainder -13 -4))",
        "(-3 1 -1 -1)",
    ),
    ("remainder-inexact", "(remainder -13 -4.0)", "-1.0"),
    ("quotient", "(quotient 17 5)", "3"),
    ("modulo-by-zero", "(modulo 5 0)", Raises("error", "division by zero")),
    ("gcd-r7rs", "(list (gcd 32 -36) (gcd))", "(4 0)"),
    ("lcm-r7rs", "(list (lcm 32 -36) (lcm 32.0 -36) (lcm))", "(288 288.0 1)"),
    ("numerator-denominator", "(list (numerator (/ 6 4)) (denominator (/ 6 4)))", "(3 2)"),
    ("denominator-inexact", "(denominator (inexact (/ 6 4)))", "2.0"),
    (
        "floor-ceiling-truncate-round-negative",
        "(list (floor -4.3) (ceiling -4.3) (truncate -4.3) (round -4.3))",
        "(-5.0 -4.0 -4.0 -4.0)",
    ),
    (
        "floor-ceiling-truncate-round-half",
        "(list (floor 3.5) (ceiling 3.5) (truncate 3.5) (round 3.5))",
        "(3.0 4.0 3.0 4.0)",
    ),
    ("round-exact-rational", "(round 7/2)", "4"),
    ("round-exact-integer", "(round 7)", "7"),
    (
        "round-to-even",
        "(list (round 2.5) (round -2.5) (round 0.5) (round 1.5))",
        "(2.0 -2.0 0.0 2.0)",
    ),
    ("floor-rational", "(floor 5/2)", "2"),
    ("rationalize-exact", "(rationalize (exact .3) 1/10)", "1/3"),
    ("rationalize-inexact", "(rationalize .3 1/10)", "0.3333333333333333"),
    ("rationalize-negative", "(rationalize -3/10 1/10)", "-1/3"),
    ("rationalize-interval-holds-zero", "(rationalize 1/4 1/4)", "0"),
    ("rationalize-infinite-tolerance", "(rationalize 3 +inf.0)", "0.0"),
    ("exp-log", "(list (exp 0) (log 1))", "(1.0 0.0)"),
    ("log-two-arguments", "(log 100 10)", "2.0"),
    (
        "trig-zero",
        "(list (sin 0) (cos 0) (tan 0) (asin 0) (acos 1) (atan 0))",
        "(0.0 1.0 0.0 0.0 0.0 0.0)",
    ),
    ("atan-two-arguments", "(atan 1 1)", "0.7853981633974483"),
    ("square", "(list (square 42) (square 2.0) (square 1/2))", "(1764 4.0 1/4)"),
    (
        "sqrt-exact-square",
        "(list (sqrt 9) (sqrt 1/4) (sqrt (expt 10 100)))",
        "(3 1/2 100000000000000000000000000000000000000000000000000)",
    ),
    ("sqrt-inexact", "(list (sqrt 2) (sqrt 16.0))", "(1.4142135623730951 4.0)"),
    ("sqrt-negative-no-complex", "(sqrt -4)", Raises("error", "no complex numbers")),
    ("exact-integer-sqrt", "(call-with-values (lambda () (exact-integer-sqrt 4)) list)", "(2 0)"),
    (
        "exact-integer-sqrt-remainder",
        "(call-with-values (lambda () (exact-integer-sqrt 5)) list)",
        "(2 1)",
    ),
    (
        "exact-integer-sqrt-negative",
        "(exact-integer-sqrt -1)",
        Raises("type-error", "exact-integer-sqrt"),
    ),
    ("expt-integers", "(list (expt 2 10) (expt 2 -1) (expt 0 0) (expt 0 5))", "(1024 1/2 1 0)"),
    (
        "expt-inexact",
        "(list (expt 2.0 3) (expt 0.0 0) (expt 2 0.5))",
        "(8.0 1.0 1.4142135623730951)",
    ),
    ("expt-rational", "(list (expt 1/2 2) (expt 4 1/2))", "(1/4 2.0)"),
    (
        "exact-inexact",
        "(list (exact 1.5) (inexact 1/3) (exact 3.0) (exact 2.5))",
        "(3/2 0.3333333333333333 3 5/2)",
    ),
    ("exact-inexact-old-names", "(list (exact->inexact 1/4) (inexact->exact 0.25))", "(0.25 1/4)"),
    ("exact-of-float-is-exact-binary", "(exact (/ 1 3.0))", "6004799503160661/18014398509481984"),
    ("exact-of-infinity", "(exact +inf.0)", Raises("error", "no exact counterpart")),
    ("exact-of-large-float", "(exact-integer? (exact 1e300))", "#t"),
    ("inexact-big-integer", "(inexact (expt 2 100))", "1.2676506002282294e+30"),
    ("float-sum", "(+ 0.1 0.2)", "0.30000000000000004"),
    ("negative-zero", "(- 0.0)", "-0.0"),
]

CONVERSION = [
    (
        "number-to-string-radix",
        "(list (number->string 255 16) (number->string 10 2) (number->string -255 16))",
        '("ff" "1010" "-ff")',
    ),
    (
        "number-to-string-values",
        "(list (number->string 1/3) (number->string 1.5) (number->string 3.0) (number->string 0.1))",
        '("1/3" "1.5" "3.0" "0.1")',
    ),
    ("string-to-number-decimal", '(string->number "100")', "100"),
    ("string-to-number-radix", '(string->number "100" 16)', "256"),
    ("string-to-number-exponent", '(string->number "1e2")', "100.0"),
    ("string-to-number-prefix", '(string->number "#x1F")', "31"),
    ("string-to-number-rational", '(string->number "1/2")', "1/2"),
    (
        "string-to-number-not-a-number",
        '(list (string->number "abc") (string->number "") (string->number "1/0"))',
        "(#f #f #f)",
    ),
    (
        "string-to-number-signs",
        '(list (string->number "-17") (string->number "+5") (string->number ".5"))',
        "(-17 5 0.5)",
    ),
    (
        "string-to-number-exactness",
        '(list (string->number "#e1.5") (string->number "#i1/2"))',
        "(3/2 0.5)",
    ),
    ("string-to-number-infinity", '(string->number "+inf.0")', "+inf.0"),
    ("number-string-round-trip", "(let ((x 0.1)) (= x (string->number (number->string x))))", "#t"),
]


@cases(SYNTAX)
def test_number_syntax(program, expected):
    check(program, expected)


@cases(PREDICATES)
def test_numerical_predicates(program, expected):
    check(program, expected)


@cases(ARITHMETIC)
def test_arithmetic(program, expected):
    check(program, expected)


@cases(CONVERSION)
def test_numerical_input_output(program, expected):
    check(program, expected)
