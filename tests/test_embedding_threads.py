"""Threads: two Interpreters run side by side sharing nothing mutable; one Interpreter
used from two threads at once serializes the calls, never interleaves them."""

from __future__ import annotations

import io
import threading
import time

from tasks_support import settings

from interpreter import Interpreter

ROUNDS = 400

# Counts the rounds in which output sent to a string came back as something else.
REDIRECTING = f"""
(let loop ((i 0) (wrong 0))
  (if (= i {ROUNDS})
      wrong
      (let ((text (with-output-to-string (lambda () (display "{{mark}}")))))
        (display "{{mark}}")
        (loop (+ i 1) (if (string=? text "{{mark}}") wrong (+ wrong 1))))))
"""


def run_together(actions) -> list:
    results = [None] * len(actions)
    start = threading.Barrier(len(actions))

    def run(index, action):
        start.wait()
        results[index] = action()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_interpreters_in_two_threads_keep_their_output_apart():
    sinks = {mark: io.StringIO() for mark in "AB"}
    interps = {mark: Interpreter(settings(), stdout=sinks[mark]) for mark in "AB"}
    results = run_together(
        [lambda mark=mark: interps[mark].eval(REDIRECTING.replace("{mark}", mark)) for mark in "AB"]
    )
    assert results == [0, 0]
    assert sinks["A"].getvalue() == "A" * ROUNDS
    assert sinks["B"].getvalue() == "B" * ROUNDS


def test_parameterize_in_one_thread_is_not_seen_by_another():
    interp_a, interp_b = Interpreter(settings()), Interpreter(settings())
    for interp in (interp_a, interp_b):
        interp.define("pause", lambda: time.sleep(0.001))
    interp_a.eval("(define width (make-parameter 10))")
    interp_b.eval("(define width (make-parameter 10))")
    program = """
    (let loop ((i 0) (wrong 0))
      (if (= i 100) wrong
          (loop (+ i 1)
                (parameterize ((current-output-port (open-output-string)))
                  (pause)
                  (if (output-port? (current-output-port)) wrong (+ wrong 1))))))"""
    shared_port_program = """
    (let loop ((i 0) (leaked 0))
      (if (= i 100) leaked
          (begin (pause)
                 (loop (+ i 1) (if (eq? (current-output-port) stdout-port) leaked (+ leaked 1))))))"""
    interp_b.eval("(define stdout-port (current-output-port))")
    results = run_together(
        [lambda: interp_a.eval(program), lambda: interp_b.eval(shared_port_program)]
    )
    assert results == [0, 0]


def test_one_interpreter_from_two_threads_runs_one_evaluation_at_a_time():
    interp = Interpreter(settings())
    interp.define("pause", lambda: time.sleep(0.0005))
    interp.eval(
        "(define counter 0) (define (bump) (let ((old counter)) (pause) (set! counter (+ old 1))))"
    )
    per_thread = 100

    def bump_many():
        for _ in range(per_thread):
            interp.eval("(bump)")

    run_together([bump_many, bump_many, bump_many])
    assert interp.eval("counter") == 3 * per_thread


def test_callbacks_from_parallel_workers_do_not_wait_for_the_running_evaluation():
    interp = Interpreter(settings())
    interp.eval("(define (square x) (* x x))")
    interp.define("host-square", lambda x: interp.call("square", x))
    finished = []
    worker = threading.Thread(
        target=lambda: finished.append(
            interp.eval("(parallel-map host-square '(1 2 3 4) #:workers 4)")
        )
    )
    worker.start()
    worker.join(30)
    assert finished == [[1, 4, 9, 16]]


def test_a_program_called_from_another_interpreter_does_not_call_its_handlers():
    outer, inner = Interpreter(settings()), Interpreter(settings())
    outer.define("run-inner", lambda: inner.eval("(+ 1 (raise-continuable 'from-inner))"))
    # were the outer handler called by the inner raise, the inner program would resume
    # with 41 and give 42; instead the inner program fails, and that error reaches outer
    result = outer.eval(
        """(guard (e (#t 'inner-failed))
             (with-exception-handler (lambda (e) 41) (lambda () (run-inner))))"""
    )
    assert result == "inner-failed"
