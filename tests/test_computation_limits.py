"""max_steps (fuel) and max_seconds (a wall-clock deadline): a host's limits on a run.

Each stops the program with its own error kind, exit code 3 from the command line; the
program's guards and handlers cannot catch it (the program must not swallow its host's
limit), its dynamic-wind after-thunks still run, and the Interpreter keeps working."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from tasks_support import interpreter

from interpreter.errors import ConfigError, StepLimitError, TimeLimitError

LOOP = "(define (loop n) (loop (+ n 1)))"
RECURSION = "(define (down n) (if (= n 0) 0 (+ 1 (down (- n 1)))))"


def test_an_endless_loop_runs_out_of_steps():
    interp = interpreter(config={"max_steps": 10_000})
    with pytest.raises(StepLimitError, match=r"more than max_steps \(10,000\)") as caught:
        interp.eval(LOOP + "(loop 0)")
    assert caught.value.kind == "step-limit"
    assert caught.value.resource == "steps" and caught.value.limit == 10_000


@pytest.mark.parametrize(
    "program",
    [
        "(down 100000)",  # non-tail recursion
        "(map (lambda (x) (loop x)) '(1 2))",  # a loop in a procedure the library calls
        "(sort '(3 1 2) (lambda (a b) (loop 0)))",  # one a primitive calls
        "(do ((i 0 (+ i 1))) (#f) i)",  # a derived loop
    ],
)
def test_every_way_of_running_code_spends_steps(program):
    interp = interpreter(config={"max_steps": 5_000})
    interp.eval(LOOP + RECURSION)
    with pytest.raises(StepLimitError):
        interp.eval(program)


def test_each_eval_has_all_its_steps_and_the_interpreter_stays_usable():
    interp = interpreter(config={"max_steps": 2_000})
    interp.eval(RECURSION)
    for _ in range(5):
        assert interp.eval("(down 500)") == 500
    with pytest.raises(StepLimitError):
        interp.eval("(down 5000)")
    assert interp.eval("(down 500)") == 500


@pytest.mark.parametrize("handler", ["guard", "with-exception-handler"])
def test_the_program_cannot_catch_its_limit_but_after_thunks_run(handler):
    interp = interpreter(config={"max_steps": 1_000})
    interp.eval(LOOP + "(define cleaned #f)")
    catch = {
        "guard": "(guard (e (#t 'swallowed)) {body})",
        "with-exception-handler": "(call/cc (lambda (k) (with-exception-handler "
        "(lambda (e) (k 'swallowed)) (lambda () {body}))))",
    }[handler]
    body = "(dynamic-wind (lambda () #f) (lambda () (loop 0)) (lambda () (set! cleaned #t)))"
    with pytest.raises(StepLimitError):
        interp.eval(catch.format(body=body))
    assert interp.eval("cleaned") is True


def test_without_a_limit_steps_are_not_counted():
    assert interpreter().eval(RECURSION + "(down 20000)") == 20000


def test_an_endless_loop_runs_out_of_time():
    interp = interpreter(config={"max_seconds": 0.3})
    start = time.monotonic()
    with pytest.raises(TimeLimitError, match=r"longer than max_seconds \(0.3 s\)") as caught:
        interp.eval(LOOP + "(guard (e (#t 'swallowed)) (loop 0))")
    assert time.monotonic() - start < 5
    assert caught.value.kind == "time-limit" and caught.value.resource == "seconds"
    assert interp.eval("(+ 1 2)") == 3  # the next eval has its own deadline


def test_a_run_within_its_deadline_is_not_interrupted_later():
    interp = interpreter(config={"max_seconds": 0.2})
    assert interp.eval("(+ 1 2)") == 3
    time.sleep(0.4)
    assert interp.eval("(* 2 3)") == 6


@pytest.mark.parametrize(
    ("values", "problem"),
    [({"max_steps": 0}, "max_steps"), ({"max_seconds": -1}, "max_seconds")],
)
def test_limits_must_be_positive(values, problem):
    with pytest.raises(ConfigError, match=problem):
        interpreter(config=values)


@pytest.mark.parametrize(
    ("flag", "kind"), [("--max-steps=1000", "step-limit"), ("--max-seconds=0.3", "time-limit")]
)
def test_the_command_line_exits_3(flag, kind, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "eval", flag, LOOP + "(loop 0)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 3
    assert result.stderr.startswith(f"{kind}: "), result.stderr
    assert "Traceback" not in result.stderr


def test_a_time_limit_deep_in_exception_handlers_prints_only_the_error(tmp_path):
    """The run ends while its deep recursion still unwinds: nothing it leaves behind may
    print on the way out of the process."""
    program = tmp_path / "deep.scm"
    program.write_text(
        "(define (f n)\n"
        "  (with-exception-handler (lambda (e) 0) (lambda () (+ 1 (f (+ n 1))))))\n"
        "(f 0)\n"
    )
    result = subprocess.run(
        [
            *(sys.executable, "-m", "interpreter", "run", "--max-seconds", "2"),
            *("--max-recursion-depth", "1000000", str(program)),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 3
    assert result.stderr.startswith("time-limit: the program ran longer than max_seconds")
    assert result.stderr.count("\n") == 1, result.stderr
