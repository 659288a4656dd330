"""Numeric task options are checked exactly, as the program computed them, before they
become floats: a huge integer or ratio is a configuration error naming the option and
its range, never an overflow."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from tasks_support import run

from interpreter.errors import ConfigError
from interpreter.limits.budget import Budget
from interpreter.providers import ScriptedModel

HUGE = "(expt 10 400)"
HUGE_RATIO = "(/ (expt 10 400) 3)"
TINY_RATIO = "(/ 1 (expt 10 400))"


@pytest.mark.parametrize(
    ("option", "written", "allowed"),
    [
        ("max-cost", HUGE, "must be at most 1000000 (a number greater than 0, at most 1,000,000)"),
        ("max-cost", HUGE_RATIO, "(a number greater than 0, at most 1,000,000)"),
        ("max-turns", HUGE_RATIO, "must be an integer (an integer from 1 to 10,000)"),
        ("max-turns", HUGE, "must be at most 10000 (an integer from 1 to 10,000)"),
        ("max-output-tokens", HUGE_RATIO, "(an integer from 1 to 100,000,000)"),
        ("warning-threshold", HUGE_RATIO, "must be greater than 0 and at most 1"),
        ("context-fraction", HUGE_RATIO, "must be greater than 0 and at most 1"),
        # not 0 once it is a float: checked again after the conversion
        ("context-fraction", TINY_RATIO, "must be greater than 0 and at most 1"),
        ("max-seconds", HUGE, "(a number greater than 0, at most 1,000,000,000)"),
    ],
)
def test_an_exact_number_out_of_range_names_the_option_and_the_range(option, written, allowed):
    model = ScriptedModel([])
    with pytest.raises(ConfigError) as caught:
        run(f'(llm "hi" #:{option} {written})', model)
    message = caught.value.message
    assert message.startswith(f"llm: #:{option} ") and message.endswith(allowed)
    assert "..." in message  # the huge value is shown cut short
    assert model.requests == []


def test_an_exact_ratio_in_range_is_used_as_a_number():
    model = ScriptedModel(["ok"])
    assert run('(llm "hi" #:context-fraction 1/2 #:warning-threshold 3/4)', model) == "ok"


def test_a_call_is_checked_the_same_way():
    program = f'(define-task (f x) "{{{{x}}}}") (f "a" #:max-cost {HUGE})'
    with pytest.raises(ConfigError, match=r"^f: #:max-cost 1000.* must be at most 1000000"):
        run(program, ScriptedModel([]))


PROGRAM = f'(llm "hi" #:max-cost {HUGE})'


def test_the_command_line_reports_it_as_a_config_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "eval", "--model", "test", PROGRAM],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"HOME": str(tmp_path), "PATH": "", "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]},
    )
    assert result.returncode != 0
    assert "config-error: llm: #:max-cost" in result.stderr
    assert "internal-error" not in result.stderr and "Overflow" not in result.stderr


def test_an_embedder_s_huge_budget_is_a_config_error_too():
    with pytest.raises(
        ConfigError,
        match=r"Budget max_cost = 1000\d* must be at most 1000000 \(a number greater than 0, at most 1,000,000\)",
    ):
        Budget(max_cost=10**400)
