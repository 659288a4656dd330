"""One call cannot allocate without bound: sizes past the `max_allocation` setting, and
exact numbers too large to hold, are clean `allocation-limit` errors, found before any
memory is taken (never Python's MemoryError, nor a loop before the arguments are checked)."""

import subprocess
import sys
import time

import pytest
from tasks_support import interpreter

from interpreter.errors import AllocationLimitError, TaskschemeError
from interpreter.lang.primitives.common import resident_memory

HUGE = [
    "(make-list 10000000000)",
    "(make-vector 10000000000)",
    "(make-vector (expt 10 30))",
    "(make-vector (expt 10 5000))",
    "(make-string 100000000000 #\\a)",
    "(make-bytevector 100000000000)",
    "(iota 10000000000)",
    "(list-tabulate 10000000000 (lambda (i) i))",
    '(string-repeat "ab" 100000000000)',
    '(string-pad-left "7" 100000000000)',
    '(string-pad-right "7" 100000000000)',
    "(expt 2 (expt 10 400))",
    "(expt 10 (expt 10 9))",
    "(expt 1/3 (- (expt 10 9)))",
]

# Loops that double what they build until something stops them: the cap does, under a
# small cap here so the test does not build millions of elements first.
GROWING = [
    '(let double ((s "ab")) (double (string-append s s)))',
    "(let double ((v (vector 1))) (double (vector-append v v)))",
    "(let double ((b (bytevector 1))) (double (bytevector-append b b)))",
    "(let double ((l (list 1))) (double (append l l)))",
    '(let double ((s "ab")) (double (string-join (list s s) "")))',
    '(let grow ((s "ab")) (grow (string-replace s "a" "aa")))',
]


@pytest.mark.parametrize(
    ("program", "cap"), [(p, None) for p in HUGE] + [(p, 100_000) for p in GROWING]
)
def test_a_huge_allocation_is_a_clean_error(program, cap):
    config = {} if cap is None else {"max_allocation": cap}
    with pytest.raises(AllocationLimitError) as caught:
        interpreter(config=config).eval_scheme(program)
    error = caught.value
    assert error.kind == "allocation-limit"
    assert "max_allocation" in error.message or "exact numbers are limited" in error.message


def test_the_cap_is_a_setting_and_names_itself():
    small = interpreter(config={"max_allocation": 100})
    assert len(small.eval("(make-vector 100 0)")) == 100
    with pytest.raises(AllocationLimitError) as caught:
        small.eval("(make-string 101)")
    assert caught.value.message == (
        "make-string: a string of 101 characters is more than max_allocation allows "
        "(100; raise it in taskscheme.toml or with --max-allocation)"
    )
    # another Interpreter has its own cap
    assert len(interpreter().eval("(make-string 101)")) == 101


def test_the_cap_on_the_command_line():
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "eval", "--max-allocation", "10", "(iota 11)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "allocation-limit: iota: a list of 11 elements" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("program", "message"),
    [
        ("(string-repeat -2.5 +nan.0)", "string-repeat: expected a string as argument 1, got -2.5"),
        (
            '(string-repeat "ab" +nan.0)',
            "string-repeat: expected an exact non-negative integer as argument 2, got +nan.0",
        ),
        ("(iota -1)", "iota: expected an exact non-negative integer as argument 1, got -1"),
        ("(iota 2 'a)", "iota: expected a number as argument 2, got a"),
        ("(list-tabulate 2 5)", "list-tabulate: expected a procedure as argument 2, got 5"),
        ('(string-pad-left "a" 2.5)', "string-pad-left: expected an exact non-negative"),
    ],
)
def test_arguments_are_checked_before_any_work(program, message):
    with pytest.raises(TaskschemeError) as caught:
        interpreter().eval_scheme(program)
    assert caught.value.message.startswith(message)


def test_the_library_procedures_made_primitives_keep_their_results():
    program = """(list (iota 5 1 1/2) (iota 3 0 0) (iota 3 1 -1) (iota 2 0.5)
                       (list-tabulate 3 (lambda (i) (* i i))) (string-repeat "ab" 3)
                       (string-pad-left "7" 3 #\\0) (string-pad-right "ab" 4 #\\-)
                       (string-pad-left "long" 2))"""
    assert interpreter().eval(program) == [
        [1, 1.5, 2, 2.5, 3],
        [0, 0, 0],
        [1, 0, -1],
        [0.5, 1.5],
        [0, 1, 4],
        "ababab",
        "007",
        "ab--",
        "long",
    ]


# A tree of 2^60 leaves in 61 pairs: each part is shared, so `display` and `write` print
# it in full each time they reach it (only cycles get labels there).
SHARED_TREE = "(let loop ((i 0) (x '(a))) (if (= i 60) x (loop (+ i 1) (list x x))))"


@pytest.mark.parametrize("procedure", ["display", "write", "write-simple"])
@pytest.mark.parametrize("port", ["", " (open-output-string)"])
def test_printing_a_tree_of_shared_parts_stops_at_max_allocation(procedure, port):
    with pytest.raises(AllocationLimitError) as caught:
        interpreter(config={"max_allocation": 100_000}).eval_scheme(
            f"({procedure} {SHARED_TREE}{port})"
        )
    assert caught.value.message.startswith(f"{procedure}: a string of ")
    assert "more than max_allocation allows (100,000;" in caught.value.message


def test_write_shared_labels_the_shared_parts_instead():
    text = interpreter().eval_scheme(
        f"(call-with-output-string (lambda (p) (write-shared {SHARED_TREE} p)))"
    )
    assert str(text).startswith("(#0=(#1=(") and len(text) < 2_000


def test_the_command_line_refuses_to_print_such_a_value():
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "eval", "--max-allocation", "100000", SHARED_TREE],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "allocation-limit: write: a string of" in result.stderr


# Exact arithmetic that would make a number past the size limit, or divide numbers too
# large to divide promptly, is refused from the operands' sizes before it starts.
EXACT_TOO_LARGE = [
    ("(expt 3 50000000)", "expt: the result would be too large"),
    ("(let ((x (expt 2 5000000))) (* x x 2))", "*: the result would be too large"),
    ("(let ((x (expt 2 5000000))) (square x))", "square: the result would be too large"),
    ("(define (f x) (* x x)) (f 3) (f 3) (f (expt 2 5000000))", "*: the result would be"),
    ("(lcm (expt 3 3000000) (+ 1 (expt 2 6000000)))", "lcm: exact numbers of"),
    ("(quotient (expt 7 2000000) (+ 3 (expt 5 1000000)))", "quotient: exact numbers of"),
    ("(/ (expt 7 2000000) (+ 3 (expt 5 1000000)))", "/: exact numbers of"),
    ("(gcd (expt 3 2000000) (expt 5 900000))", "gcd: exact numbers of"),
    ("(+ (/ 1 (expt 3 2000000)) (/ 1 (expt 5 900000)))", "+: exact numbers of"),
    ("(string->number (make-string 3000000 #\\7))", "reading a number: the result would be"),
    ("(exact-integer-sqrt (expt 10 2000000))", "exact-integer-sqrt: an exact number of"),
    ("(sqrt (expt 10 2000000))", "sqrt: an exact number of"),
    ("(sqrt (/ 1 (expt 10 2000000)))", "sqrt: an exact number of"),
]


@pytest.mark.parametrize(("program", "message"), EXACT_TOO_LARGE)
def test_exact_arithmetic_past_the_size_limit_is_refused(program, message):
    with pytest.raises(AllocationLimitError) as caught:
        interpreter().eval_scheme(program)
    assert caught.value.message.startswith(message)


def test_exact_arithmetic_below_the_size_limit_goes_through():
    interp = interpreter()
    assert interp.eval("(expt 2 8000000)") == 2**8_000_000
    assert interp.eval("(let ((x (expt 2 4000000))) (* x x))") == 2**8_000_000
    assert interp.eval("(define (f x) (* x x)) (f 3) (f 3) (f (expt 10 100))") == 10**200
    assert interp.eval("(quotient (expt 7 2000000) (expt 7 1999999))") == 7
    assert interp.eval("(sqrt (expt 2 2097150))") == 2**1_048_575


_OUT_OF_MEMORY = """
import os, resource
from interpreter import Interpreter
from interpreter.errors import AllocationLimitError
interp = Interpreter()
interp.eval_scheme("(+ 1 2)")
# room for about 50 MB more than the interpreter has taken: soon exhausted
with open("/proc/self/statm") as statm:
    size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
resource.setrlimit(resource.RLIMIT_AS, (size + 50_000_000, size + 50_000_000))
for program in [
    "(define (grow acc) (grow (cons (make-vector 5000000 0) acc))) (grow '())",
    "(define (g acc) (g (cons 1 acc))) (g '())",
]:
    try:
        interp.eval_scheme(program)
    except AllocationLimitError as error:
        print(error.kind, "out of memory" in error.message)
print(interp.eval_scheme("(+ 1 2)"))
"""


def test_running_out_of_memory_is_an_allocation_limit_error_and_the_interpreter_goes_on(
    tmp_path,
):
    done = subprocess.run(
        [sys.executable, "-c", _OUT_OF_MEMORY],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert done.stdout.split("\n") == ["allocation-limit True"] * 2 + ["3", ""], done.stderr


# Makers whose result can be larger than their arguments, or whose size is known only as
# they make it, check it too (under a cap of 1,000 here, from arguments of 600).
MADE_LARGER = [
    "(string-upcase big-sharp-s)",
    "(string-foldcase big-sharp-s)",
    "(string->utf8 big-sharp-s)",
    "(scheme->json (make-list 600 1))",
    "(list->string (append (string->list ascii) (string->list ascii)))",
    "(string-map char-upcase (list->string (append (string->list ascii) (string->list ascii))))",
    "(list->vector (append (make-list 600 0) (make-list 600 0)))",
    "(vector-map (lambda (x) x) (list->vector (append (make-list 600 0) (make-list 600 0))))",
]


@pytest.mark.parametrize("program", MADE_LARGER)
def test_a_maker_checks_what_it_makes(program):
    interp = interpreter(config={"max_allocation": 1000})
    interp.eval_scheme(
        "(define big-sharp-s (make-string 600 #\\xDF)) (define ascii (make-string 600 #\\a))"
    )
    with pytest.raises(AllocationLimitError) as caught:
        interp.eval_scheme(program)
    assert "is more than max_allocation allows" in caught.value.message


def test_max_memory_bounds_what_the_whole_process_holds():
    cap = resident_memory() + 200_000_000
    interp = interpreter(config={"max_memory": cap})
    with pytest.raises(AllocationLimitError) as caught:
        interp.eval_scheme("(let grow ((kept '())) (grow (cons (make-vector 1000000 0) kept)))")
    assert caught.value.message.startswith("make-vector: the process holds ")
    assert f"more than max_memory allows ({cap:,}; raise it" in caught.value.message
    assert interp.eval("(+ 1 2)") == 3


def test_max_memory_is_a_command_line_option(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "interpreter",
            "eval",
            "--max-memory",
            "1000000",
            "(make-vector 5000 0)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert "allocation-limit: make-vector: the process holds" in done.stderr
    assert "max_memory" in done.stderr


def test_append_counts_its_copies_before_making_any():
    """Many arguments that together pass the cap are refused after counting about as many
    elements as the cap, not after copying every one of them."""
    interp = interpreter(config={"max_allocation": 100_000})
    interp.eval_scheme("(define part (make-list 10000 0))")

    def cpu_seconds(parts: int) -> float:
        start = time.process_time()
        with pytest.raises(AllocationLimitError, match="append: a list of"):
            interp.eval_scheme(f"(apply append (make-list {parts} part))")
        return time.process_time() - start

    just_past = min(cpu_seconds(12) for _ in range(3))
    far_past = cpu_seconds(3000)
    assert far_past < 20 * just_past + 0.05, (far_past, just_past)
