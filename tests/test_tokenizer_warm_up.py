"""The tokenizer loads in the background as soon as a run will need it (a task defined,
an Interpreter made with a model), or at once with `warm_up()`; never when no task is
defined, and never twice. Each check runs in a fresh process: encodings are loaded once
per process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Counts the encodings built, and gives a function that waits for the warm-up thread.
PRELUDE = """
import threading
from interpreter.limits import tokens

built = []
original = tokens.load_encoding


def counting(name, **kw):
    built.append(name)
    return original(name, **kw)


tokens.load_encoding = counting


def warming():
    return [t for t in threading.enumerate() if t.name == tokens.WARM_UP_THREAD]
"""


def _python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_an_interpreter_with_a_model_loads_the_encoding_in_the_background_once():
    out = _python(
        """
        from interpreter import Interpreter, ScriptedModel

        interp = Interpreter(model=ScriptedModel(["one"]))
        started = len(warming())
        # a task at once waits for the loading under way instead of loading again
        interp.eval('(define-task (t x) "{{x}}")')
        assert interp.eval("(t 1)") == "one"
        for thread in warming():
            thread.join()
        print(started, built)
        """
    )
    assert out == "1 ['o200k_base']"


def test_defining_a_task_starts_loading_its_models_encoding():
    out = _python(
        """
        from interpreter import Interpreter

        interp = Interpreter(config={"model": "anthropic:claude-sonnet-4-5"})
        before = (len(warming()), list(built))
        interp.eval('(define-task (t x) "{{x}}")')
        for thread in warming():
            thread.join()
        print(before, built)
        """
    )
    assert out == "(0, []) ['cl100k_base']"


def test_warm_up_loads_before_it_returns():
    out = _python(
        """
        from interpreter import Interpreter

        interp = Interpreter(config={"model": "openai:gpt-4o-mini"})
        interp.warm_up()
        print(sorted(tokens._loaded), built)
        """
    )
    assert out == "['o200k_base'] ['o200k_base']"


def test_no_task_no_tokenizer():
    out = _python(
        """
        import sys
        from interpreter import Interpreter

        assert Interpreter().eval("(+ 1 2)") == 3
        print(len(warming()), built, "tiktoken" in sys.modules)
        """
    )
    assert out == "0 [] False"
