"""parallel-map: order, errors, working memory, and one Handler per item."""

from __future__ import annotations

import ctypes
import threading

import pytest
from tasks_support import Released, interpreter, run

from interpreter.diagnostics import format_error
from interpreter.errors import ExecutorError, ProviderError, TaskschemeError
from interpreter.providers import FunctionModel

ECHO = '(define-task (echo x) "{{x}}")'


def _prompt(request):
    return (
        request.messages[-1].content
        if request.messages[-1].role == "user"
        else request.messages[0].content
    )


def test_results_come_back_in_input_order_whatever_order_items_finish_in():
    # Item i waits until item i+1 has answered, so the items finish last to first.
    answered = {i: threading.Event() for i in range(6)}

    def backwards(request):
        i = int(_prompt(request))
        if i + 1 in answered:
            answered[i + 1].wait()
        answered[i].set()
        return f"item {i}"

    program = ECHO + "(parallel-map echo (iota 6) #:workers 6)"
    assert run(program, FunctionModel(backwards)) == [f"item {i}" for i in range(6)]


def test_each_item_runs_under_its_own_handler():
    released = Released()
    program = ECHO + "(parallel-map echo (list 1 2 3 4 5 6 7 8) #:workers 3)"
    run(program, FunctionModel(lambda r: "ok"), events=released.bus)
    assert len(released.events) == 8
    assert len({event.handler_id for event in released.events}) == 8
    assert all(event.metrics.turns.used == 1 for event in released.events)


def test_task_metrics_inside_an_item_are_that_items_own():
    # Item n makes n tool calls before answering, so its task uses n + 1 turns.
    def calls_then_answers(request):
        wanted = int(_prompt(request))
        made = sum(1 for m in request.messages if m.role == "tool")
        if made < wanted:
            return {"tool_calls": [{"name": "noop", "arguments": {}}]}
        return "done"

    program = """
    (define-tool (noop) "Do nothing." "ok")
    (define-task (work n) #:max-turns 10 #:tools (list noop) "{{n}}")
    (parallel-map (lambda (n) (work n) (metrics-ref (task-metrics) 'turns 'used))
                  (list 3 0 2 1 4) #:workers 5)"""
    assert run(program, FunctionModel(calls_then_answers)) == [4, 1, 3, 2, 5]


def _failing_on(*bad):
    seen = []
    lock = threading.Lock()

    def model(request):
        item = int(_prompt(request))
        with lock:
            seen.append(item)
        if item in bad:
            raise ProviderError("test", "server", f"item {item} failed")
        return f"ok {item}"

    return model, seen


def test_the_first_error_stops_new_items_and_is_raised():
    fn, seen = _failing_on(3)
    with pytest.raises(ProviderError, match="item 3 failed"):
        run(ECHO + "(parallel-map echo (iota 10) #:workers 1)", FunctionModel(fn))
    assert seen == [0, 1, 2, 3]  # nothing started after the failure


def test_the_error_raised_is_the_first_in_input_order():
    fn, _ = _failing_on(2, 5)
    program = (
        ECHO
        + """
    (guard (e ((provider-error? e) (error-object-message e)))
      (parallel-map echo (iota 8) #:workers 4))"""
    )
    assert run(program, FunctionModel(fn)) == "test: server error: item 2 failed"


def test_collect_returns_error_objects_in_place_of_failed_items():
    fn, seen = _failing_on(1, 3)
    program = (
        ECHO
        + """
    (map (lambda (r) (if (error-object? r) (list 'failed (error-object-message r)) r))
         (parallel-map echo (iota 5) #:workers 2 #:errors 'collect))"""
    )
    assert run(program, FunctionModel(fn)) == [
        "ok 0",
        ["failed", "test: server error: item 1 failed"],
        "ok 2",
        ["failed", "test: server error: item 3 failed"],
        "ok 4",
    ]
    assert sorted(seen) == [0, 1, 2, 3, 4]


def test_items_see_the_callers_working_memory():
    program = """
    (define-task (greet name) #:context '(greeting) "{{greeting}}, {{name}}")
    (with-context ((greeting "Hello"))
      (parallel-map greet (list "Ann" "Bo") #:workers 2))"""
    assert run(program, FunctionModel(_prompt)) == ["Hello, Ann", "Hello, Bo"]


def test_any_procedure_and_vectors_work():
    assert run("(parallel-map (lambda (x) (* x x)) (vector 1 2 3))", FunctionModel(_prompt)) == [
        1,
        4,
        9,
    ]
    assert run("(parallel-map car '())", FunctionModel(_prompt)) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            "(parallel-map echo '(1) #:workers 0)",
            r"parallel-map: expected a positive integer for #:workers",
        ),
        (
            "(parallel-map echo '(1) #:errors 'all)",
            r"parallel-map: expected 'first or 'collect for #:errors",
        ),
        ("(parallel-map echo 5)", r"parallel-map: expected a list or vector of items"),
        ("(parallel-map 5 '(1))", r"parallel-map: expected a procedure"),
        (
            "(parallel-map echo '(1) #:worker 2)",
            r"unknown keyword #:worker \(did you mean #:workers\?\)",
        ),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises(TaskschemeError, match=message):
        run(ECHO + call, FunctionModel(_prompt))


def test_an_interrupt_in_the_calling_thread_stops_new_items():
    caller = threading.get_ident()
    release_first_item = threading.Event()
    seen = []

    def interrupting(request):
        seen.append(_prompt(request))
        # Deliver Ctrl-C to the waiting caller, then finish only after it has been handled.
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(caller), ctypes.py_object(KeyboardInterrupt)
        )
        release_first_item.wait()
        return "ok"

    interp = interpreter(FunctionModel(interrupting))
    with pytest.raises(KeyboardInterrupt):
        interp.eval(ECHO + "(parallel-map echo (iota 5) #:workers 1)")
    release_first_item.set()
    for worker in [t for t in threading.enumerate() if t.name.startswith("taskscheme-parallel")]:
        worker.join()
    assert seen == ["0"]


def test_an_items_error_names_the_item_in_its_message_and_fields():
    program = """(parallel-map (lambda (x) (if (string=? x "b") (car x) x)) '("a" "b" "c"))"""
    with pytest.raises(TaskschemeError) as raised:
        interpreter().eval(program)
    error = raised.value
    assert (error.kind, error.item, error.item_written) == ("type-error", 2, '"b"')
    assert (
        format_error(error)
        .splitlines()[0]
        .endswith(
            'type-error: parallel-map item 2 of 3 ("b"): car: expected a pair as argument 1, got "b"'
        )
    )
    # the message a program reads is the error's own; the headline names the item
    caught = """
    (guard (e (#t (list (error-object-message e) (error-message-string e))))
      (parallel-map (lambda (n) (if (= n 3) (error "too big" n) n)) (iota 5)))"""
    assert interpreter().eval(caught) == ["too big", "parallel-map item 4 of 5 (3): too big 3"]


def test_an_item_is_shown_cut_short_and_a_collected_error_names_its_item_too():
    program = """
    (map (lambda (r) (if (error-object? r) (error-message-string r) r))
         (parallel-map (lambda (xs) (if (> (length xs) 2) (raise-bad xs) 'ok))
                       (list '(1) (iota 5000))
                       #:errors 'collect))"""
    ok, failed = interpreter().eval('(define (raise-bad xs) (error "long"))' + program)
    assert ok == "ok"
    assert failed.startswith("parallel-map item 2 of 2 ((0 1 2 3 ") and failed.endswith(": long")
    assert len(failed) < 200


def test_the_item_of_a_map_inside_an_item_is_the_one_named():
    program = "(parallel-map (lambda (xs) (parallel-map (lambda (x) (/ 1 x)) xs)) '((1 2) (3 0)))"
    with pytest.raises(TaskschemeError) as raised:
        interpreter().eval(program)
    assert raised.value.in_item == "parallel-map item 2 of 2 (0)"


def no_thread_after(monkeypatch, allowed: int) -> None:
    """Worker threads of a map cannot start once `allowed` have (a thread limit)."""
    start = threading.Thread.start
    started = []

    def limited(thread: threading.Thread) -> None:
        if thread.name.startswith("taskscheme-parallel"):
            if len(started) == allowed:
                raise RuntimeError("can't start new thread")
            started.append(thread)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", limited)


def test_a_map_whose_workers_cannot_start_is_an_executor_error(monkeypatch):
    no_thread_after(monkeypatch, 0)
    program = """(guard (e (#t (list (error-object-kind e) (error-message-string e))))
                   (parallel-map (lambda (x) x) '("a" "b" "c")))"""
    kind, message = interpreter().eval(program)
    assert kind == "executor-error"
    assert message == (
        "parallel-map: could not start its workers (can't start new thread): "
        '0 of 3 started, and the 3 items from item 1 of 3 ("a") on did not run'
    )


def test_items_not_run_for_want_of_a_thread_are_reported(monkeypatch):
    no_thread_after(monkeypatch, 2)
    interp = interpreter()
    interp.eval("(define ran '())")
    program = """
    (parallel-map (lambda (x) (let loop ((i 0)) (if (< i 20000) (loop (+ i 1))))
                              (set! ran (cons x ran)))
                  (iota 40) #:workers 8)"""
    with pytest.raises(ExecutorError) as raised:
        interp.eval(program)
    error = raised.value
    assert "could not start its workers" in error.message and "did not run" in error.message
    ran = sorted(interp.eval("ran"))
    not_run = [position - 1 for position in error.not_run]
    assert not_run and ran + not_run == list(range(40))  # every item ran or is named
