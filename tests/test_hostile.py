"""Hostile programs, run the way a service runs its users' programs: each ends with a
clear error of the language, and the host process stays healthy and keeps serving."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest

from interpreter import Capabilities, Interpreter, LimitedOutput, TaskschemeError
from interpreter.errors import (
    AllocationLimitError,
    CapabilityError,
    OutputLimitError,
    ProgramExitError,
    RaisedValue,
    RecursionDepthError,
    SchemeError,
    SchemeSyntaxError,
    UnboundVariableError,
)

OUTPUT_LIMIT = 10_000
# how long the service lets a program run: an endless one a moment, others (which end
# by themselves with an error, within seconds) as long as a loaded machine needs
ENDLESS_SECONDS = 0.5
SECONDS = 60.0


def service() -> Interpreter:
    """An Interpreter as a service makes one per request: nothing granted, small limits,
    output capped, a model of its own."""
    interp = Interpreter(
        config={"max_recursion_depth": 1000, "max_allocation": 1_000_000},
        capabilities=Capabilities(),
        stdout=LimitedOutput(OUTPUT_LIMIT),
        model=lambda messages: "ok",
    )
    interp.define("host-echo", lambda value: value)
    interp.define("handle", object())  # an opaque host object
    interp.define("call-back", lambda procedure: procedure())
    return interp


async def serve(interp: Interpreter, program: str, seconds: float = SECONDS):
    """The program's value, or the error it ended with; one that runs too long is
    cancelled (the step and time limits of the settings do this within the language)."""
    try:
        return await asyncio.wait_for(interp.eval_async(program), seconds)
    except TaskschemeError as error:
        return error


HOSTILE = {
    # Python internals
    "import": ('(__import__ "os")', UnboundVariableError, "unbound variable __import__"),
    "builtins": ("(eval '__builtins__)", UnboundVariableError, "unbound variable __builtins__"),
    "host object": ("(handle)", SchemeError, "not a procedure: #<python object>"),
    "host object data": ("(car handle)", SchemeError, "car: expected a pair"),
    # files
    "read a file": ('(file->string "/etc/passwd")', CapabilityError, "may not read /etc/passwd"),
    "load a file": ('(load "/etc/passwd")', CapabilityError, "load: the program may not read"),
    "write a file": (
        '(call-with-output-file "/tmp/taskscheme-hostile" (lambda (p) (write 1 p)))',
        CapabilityError,
        "may not write /tmp/taskscheme-hostile",
    ),
    "delete a file": ('(delete-file "/tmp/x")', CapabilityError, "may not write /tmp/x"),
    "probe a file": ('(file-exists? "/root")', CapabilityError, "may not read /root"),
    "through eval": (
        "(eval '(open-input-file \"/etc/hosts\") (environment '(scheme file)))",
        CapabilityError,
        "may not read /etc/hosts",
    ),
    # environment
    "environment": ('(get-environment-variable "HOME")', CapabilityError, "variable HOME"),
    # subprocesses and sockets: there are no such procedures
    "subprocess": ('(system "id")', UnboundVariableError, "unbound variable system"),
    "process": ('(process "id")', UnboundVariableError, "unbound variable process"),
    "socket": ('(open-tcp-client "example.com" 80)', UnboundVariableError, "open-tcp-client"),
    "another model": (
        '(llm "hello" #:model "openai:gpt-4o")',
        CapabilityError,
        "may not use the model openai:gpt-4o",
    ),
    # recursion without end
    "recursion": ("(define (f) (+ 1 (f))) (f)", RecursionDepthError, "recursion too deep"),
    "recursion through eval": ("(define (e) (eval '(e))) (e)", RecursionDepthError, ""),
    "recursion through map": (
        "(define (f) (map (lambda (x) (f)) '(1))) (f)",
        RecursionDepthError,
        "",
    ),
    "recursion through the host": (
        "(define (f) (call-back f)) (f)",
        RecursionDepthError,
        "recursion too deep",
    ),
    "recursion through handlers": (
        "(define (f) (with-exception-handler (lambda (e) (f)) (lambda () (raise 'x)))) (f)",
        RecursionDepthError,
        "",
    ),
    "macro expanding forever": (
        "(define-syntax m (syntax-rules () ((_ x) (m (x x))))) (m 1)",
        RecursionDepthError,
        "nested too deeply",
    ),
    "nesting bomb": ("(" * 100_000 + ")" * 100_000, SchemeSyntaxError, "nested"),
    # allocation without end
    "huge vector": ("(make-vector (expt 10 10))", AllocationLimitError, "max_allocation"),
    "huge string": ("(make-string (expt 10 10) #\\a)", AllocationLimitError, "max_allocation"),
    "huge number": ("(expt 10 (expt 10 9))", AllocationLimitError, "too large"),
    "doubling string": (
        '(let loop ((s "x")) (loop (string-append s s)))',
        AllocationLimitError,
        "string-append",
    ),
    "doubling list": ("(let loop ((l (list 1))) (loop (append l l)))", AllocationLimitError, ""),
    "doubling through the host": (
        '(let loop ((s "x")) (loop (host-echo (string-append s s))))',
        AllocationLimitError,
        "",
    ),
    "growing a hash table": (
        "(define h (make-hash-table)) (let loop ((i 0)) (hash-table-set! h i i) (loop (+ i 1)))",
        AllocationLimitError,
        "hash-table-set!: a hash table of 1,000,001 elements",
    ),
    "filling a string port": (
        '(call-with-output-string (lambda (p) (let loop () (display "spam" p) (loop))))',
        AllocationLimitError,
        "display: a string of",
    ),
    # output
    "flood": ('(let loop () (display "spam") (loop))', OutputLimitError, "more than 10000"),
    "flood the error port": (
        '(let loop () (display "spam" (current-error-port)) (loop))',
        OutputLimitError,
        "output limit",
    ),
    "one huge write": ("(display (make-string 100000 #\\x))", OutputLimitError, "output limit"),
    # ending the host
    "exit": ("(exit 0)", ProgramExitError, "(exit 0)"),
    "exit through dynamic-wind": (
        "(dynamic-wind (lambda () #f) (lambda () (exit 7)) (lambda () (display 1)))",
        ProgramExitError,
        "(exit 7)",
    ),
    "emergency exit": ("(emergency-exit)", UnboundVariableError, "emergency-exit"),
    # errors that are not errors
    "raise a list": ("(raise (list 1 2))", RaisedValue, "uncaught raise of (1 2)"),
    "handler returning": (
        "(with-exception-handler (lambda (e) 42) (lambda () (car '())))",
        SchemeError,
        "non-continuable",
    ),
}

# Programs that run until stopped from outside (in the language: by max_steps or
# max_seconds); here the service cancels them.
ENDLESS = {
    "loop": "(let loop () (loop))",
    "tail call through apply": "(define (f) (apply f '())) (f)",
    "loop catching every error": "(let loop () (guard (e (#t #f)) (car '())) (loop))",
    "allocating a little at a time": "(let loop ((l '())) (loop (cons (make-string 100) l)))",
    "looping after-thunk": "(dynamic-wind (lambda () #f) (lambda () (let l () (l))) (lambda () (let l () (l))))",
}

PYTHON_WORDS = ("Traceback", "NoneType", "True", "False", "python3", 'File "', "object at 0x")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_program_ends_with_a_clear_error(name):
    program, kind, message = HOSTILE[name]
    interp = service()
    outcome = asyncio.run(serve(interp, program))
    assert isinstance(outcome, kind), outcome
    assert message in outcome.message
    assert not any(word in outcome.message for word in PYTHON_WORDS), outcome.message
    assert asyncio.run(serve(interp, "(+ 1 2)")) == 3


@pytest.mark.parametrize("name", sorted(ENDLESS))
def test_an_endless_program_is_stopped_and_the_interpreter_serves_on(name):
    interp = service()

    async def main():
        with pytest.raises(TimeoutError):
            await serve(interp, ENDLESS[name], ENDLESS_SECONDS)
        return await serve(interp, '(string-append "still " "serving")')

    assert asyncio.run(main()) == "still serving"


def test_an_endless_program_run_synchronously_is_stopped_by_interrupt():
    interp = service()
    stopper = threading.Timer(0.3, interp.interrupt)
    stopper.start()
    with pytest.raises(KeyboardInterrupt):
        interp.eval("(let loop () (loop))")
    assert interp.eval("(* 6 7)") == 42


def test_the_host_keeps_serving_after_every_hostile_program_in_a_row():
    limit = sys.getrecursionlimit()
    threads = threading.active_count()

    async def everything():
        for program, kind, _ in HOSTILE.values():
            assert isinstance(await serve(service(), program), kind)
        for program in ENDLESS.values():
            with pytest.raises(TimeoutError):
                await serve(service(), program, ENDLESS_SECONDS)
        normal = service()
        await serve(normal, "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))")
        return await serve(normal, "(fib 15)")

    assert asyncio.run(everything()) == 610
    assert sys.getrecursionlimit() == limit
    # the cancelled programs' threads have ended
    for _ in range(100):
        if threading.active_count() <= threads:
            break
        threading.Event().wait(0.1)
    assert threading.active_count() <= threads
