"""The Interpreter as embedders use it: constructing it, evaluating, calling, defining
host procedures and tools, looking names up, events, reset, and the async variants."""

from __future__ import annotations

import asyncio
import io
import threading
import time

import pytest
from tasks_support import settings

from interpreter import Interpreter, ScriptedModel
from interpreter.errors import (
    ArityError,
    ConfigError,
    ProgramExitError,
    RecursionDepthError,
    UnboundVariableError,
)


def fresh(**options) -> Interpreter:
    return Interpreter(settings(), **options)


def test_config_overrides_settings_and_is_checked():
    interp = fresh(config={"max_turns": 7})
    assert interp.settings.get("max_turns") == 7
    assert interp.settings.source("max_turns") == "Interpreter(config=...)"
    with pytest.raises(ConfigError, match="max_turns"):
        fresh(config={"max_turns": "many"})
    with pytest.raises(ConfigError, match="did you mean 'max_turns'"):
        fresh(config={"max_turn": 3})


def test_eval_file_returns_python_values_and_run_file_is_the_same(tmp_path):
    program = tmp_path / "program.scm"
    program.write_text("(define (f x) (list x x))\n(f 2)")
    interp = fresh()
    assert interp.eval_file(program) == [2, 2]
    assert interp.run_file(program) == [2, 2]


def test_call_passes_keyword_arguments_and_converts_both_ways():
    interp = fresh()
    interp.eval('(define (describe x #:key (unit "kg")) (list x unit))')
    assert interp.call("describe", 3, unit="g") == [3, "g"]
    assert interp.call("describe", [1, 2]) == [[1, 2], "kg"]


def test_a_host_procedure_takes_its_arity_and_keywords_from_its_signature():
    interp = fresh()

    def search(query: str, limit: int = 3, *, min_score: float = 0.0) -> list:
        """Search the documents."""
        return [query, limit, min_score]

    interp.define("search", search)
    assert interp.eval('(search "q" #:min-score 0.5 #:limit 5)') == ["q", 5, 0.5]
    assert interp.eval('(search "q" 4)') == ["q", 4, 0.0]
    with pytest.raises(ArityError, match=r"search: expects 1 to 2 arguments, got 3"):
        interp.eval('(search "q" 1 2)')
    with pytest.raises(
        ArityError, match=r"search: unknown keyword #:limt \(did you mean #:limit\?\)"
    ):
        interp.eval('(search "q" #:limt 2)')
    # the program can catch it like any error of its own
    assert interp.eval("(guard (e ((error-object? e) 'caught)) (search))") == "caught"
    assert interp.lookup("search").doc == "Search the documents."


def test_a_required_keyword_argument_must_be_given():
    interp = fresh()

    def scale(x, *, factor):
        return x * factor

    interp.define("scale", scale)
    assert interp.eval("(scale 2 #:factor 3)") == 6
    with pytest.raises(ArityError, match="scale: needs #:factor"):
        interp.eval("(scale 2)")


def test_procedure_decorator_names_after_the_function_and_returns_it():
    interp = fresh()

    @interp.procedure
    def word_count(text):
        return len(text.split())

    @interp.procedure("shout", doc="Upper-case the text.")
    def loud(text):
        return text.upper()

    assert word_count("a b") == 2
    assert interp.eval('(list (word-count "one two three") (shout "hi"))') == [3, "HI"]
    assert interp.lookup("shout").doc == "Upper-case the text."


def test_tool_decorator_makes_a_tool_the_model_can_call():
    model = ScriptedModel(
        [{"tool_calls": [{"name": "lookup-order", "arguments": {"order_id": 7}}]}, "shipped"]
    )
    interp = fresh(model=model)

    @interp.tool
    def lookup_order(order_id: int, details: dict | None = None) -> dict:
        """Look up an order by its number."""
        return {"id": order_id, "status": "shipped"}

    interp.eval('(define-task (track q) #:tools (list lookup-order) "{{q}}")')
    assert interp.eval('(track "where is 7?")') == "shipped"
    spec = model.requests[0].tools[0]
    assert spec.name == "lookup-order"
    assert spec.description == "Look up an order by its number."
    assert spec.parameters["properties"]["order_id"] == {"type": "integer"}
    assert spec.parameters["properties"]["details"] == {"type": "object"}
    tool_result = model.requests[1].messages[-1].content
    assert tool_result == '{"id": 7, "status": "shipped"}'
    # the program can call it too
    assert interp.eval('(hash-table-ref (lookup-order 8) "id")') == 8


def test_lookup_gives_globals_as_python_and_an_error_for_unbound_names():
    interp = fresh()
    interp.eval("(define numbers '(1 2 3))")
    assert interp.lookup("numbers") == [1, 2, 3]
    assert interp.lookup("map")(lambda x: x + 1, [1, 2]) == [2, 3]
    with pytest.raises(UnboundVariableError, match="unbound variable numbrs"):
        interp.lookup("numbrs")


def test_last_task_metrics_and_subscribe_after_construction():
    interp = fresh(model=ScriptedModel(["one", "two"]))
    seen = []
    unsubscribe = interp.subscribe(lambda event: seen.append(event.kind))
    interp.eval('(define-task (say w) #:max-turns 2 "Say {{w}}")')
    interp.eval('(say "a")')
    assert "turn" in seen and seen[-1] == "released"
    assert interp.last_task_metrics.turns.used == 1
    assert interp.last_task_metrics.turns.limit == 2
    unsubscribe()
    count = len(seen)
    interp.eval('(say "b")')
    assert len(seen) == count


def test_reset_forgets_the_programs_definitions_but_keeps_the_hosts():
    interp = fresh()
    interp.define("host-value", 41)
    interp.eval("(define program-value 1) (define-syntax twice (syntax-rules () ((_ x) (* 2 x))))")
    interp.reset()
    assert interp.eval("(+ host-value 1)") == 42
    with pytest.raises(UnboundVariableError):
        interp.eval("program-value")
    with pytest.raises(UnboundVariableError):
        interp.eval("(twice 2)")


def test_exit_ends_the_evaluation_with_an_error_carrying_the_code():
    interp = fresh()
    with pytest.raises(ProgramExitError) as caught:
        interp.eval("(display 1) (exit 4) (display 2)")
    assert caught.value.code == 4
    assert interp.eval("(+ 1 1)") == 2


def test_stdout_and_stdin_are_the_programs_own():
    out = io.StringIO()
    interp = fresh(stdout=out, stdin="first line\nsecond\n")
    interp.eval('(display "hello") (newline)')
    assert out.getvalue() == "hello\n"
    assert interp.eval("(read-line)") == "first line"
    assert interp.eval("(read-line)") == "second"
    # with nothing given, standard input is empty
    assert fresh().eval("(eof-object? (read-line))") is True


def test_host_callbacks_recursing_without_end_stop_with_a_clean_error():
    interp = fresh(config={"max_recursion_depth": 200})
    interp.define("again", lambda: interp.call("ping"))
    interp.eval("(define (ping) (again))")
    with pytest.raises(RecursionDepthError):
        interp.eval("(ping)")
    assert interp.eval("(+ 1 2)") == 3


def test_eval_async_does_not_block_the_event_loop():
    interp = fresh()

    async def main():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        ticking = asyncio.ensure_future(ticker())
        value = await interp.eval_async(
            "(define (count n) (if (= n 0) 'done (count (- n 1)))) (count 300000)"
        )
        ticking.cancel()
        return value, ticks

    value, ticks = asyncio.run(main())
    assert value == "done" and ticks > 1
    assert asyncio.run(interp.call_async("count", 3)) == "done"


def test_cancelling_eval_async_interrupts_the_program_and_releases_its_handler():
    started = threading.Event()

    def slow_model(messages):
        started.set()
        time.sleep(30)
        return "never"

    interp = fresh(model=slow_model)
    released = []
    interp.subscribe(lambda e: released.append(e.detail) if e.kind == "released" else None)
    interp.eval('(define-task (ask q) "{{q}}")')

    async def main():
        running = asyncio.ensure_future(interp.eval_async('(ask "hello")'))
        while not started.is_set():
            await asyncio.sleep(0.01)
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
        return await interp.eval_async("(+ 1 2)")

    begun = time.monotonic()
    assert asyncio.run(main()) == 3
    assert time.monotonic() - begun < 10
    assert released and released[0]["outcome"] == "interrupted"


def test_cancelling_a_pure_loop_stops_it():
    interp = fresh()

    async def main():
        running = asyncio.ensure_future(interp.eval_async("(let loop () (loop))"))
        await asyncio.sleep(0.2)
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
        return await interp.eval_async("'still-serving")

    assert asyncio.run(main()) == "still-serving"


def test_errors_and_questions_to_the_user_use_the_programs_own_ports():
    out = io.StringIO()
    model = ScriptedModel(
        [{"tool_calls": [{"name": "ask_user", "arguments": {"question": "Which city?"}}]}, "ok"]
    )
    interp = fresh(model=model, stdout=out, stdin="Paris\n")
    interp.eval('(display "oops" (current-error-port))')
    interp.eval('(define-task (plan) #:interactive #t "Plan a trip.")')
    assert interp.eval("(plan)") == "ok"
    assert out.getvalue() == "oopsWhich city?\n> "
    assert model.requests[1].messages[-1].content == "Paris"


def test_with_no_standard_input_the_user_gives_no_answer():
    model = ScriptedModel(
        [{"tool_calls": [{"name": "ask_user", "arguments": {"question": "Name?"}}]}, "ok"]
    )
    interp = fresh(model=model, stdout=io.StringIO())
    interp.eval('(define-task (greet) #:interactive #t "Greet the user.")')
    assert interp.eval("(greet)") == "ok"
    assert "no answer (end of input)" in model.requests[1].messages[-1].content


def test_programs_with_different_limits_run_concurrently_under_asyncio():
    async def model(messages):
        await asyncio.sleep(0.05)
        return {"tool_calls": [{"name": "ping", "arguments": {}}]}

    program = """
    (define-tool (ping) "Ping." "pong")
    (define-task (chat) #:tools (list ping) "Go.")
    (guard (e ((resource-exhausted? e) (metrics-ref (resource-error-metrics e) 'turns 'used)))
      (chat))"""
    tight = fresh(model=model, config={"max_turns": 2})
    loose = fresh(model=model, config={"max_turns": 5})

    async def main():
        return await asyncio.gather(tight.eval_async(program), loose.eval_async(program))

    assert asyncio.run(main()) == [2, 5]
