"""Billed tokens and what they cost: per turn, per task and per run, from the provider's
reported usage where there is one and our own count otherwise, priced from the model
registry or configuration, in metrics, --verbose, traces and the exhaustion error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tasks_support import Released, interpreter, run, settings

from interpreter.engine.interpreter import Interpreter
from interpreter.errors import ConfigError
from interpreter.limits.messages import ModelRequest, ModelResponse, ToolCall, Usage
from interpreter.limits.models import resolve_model
from interpreter.limits.prices import Prices
from interpreter.limits.settings import Settings
from interpreter.providers import FunctionModel, ScriptedModel


def cli(
    tmp_path: Path, server, program: str, *options: str, model: str = "openai:gpt-4o-mini"
) -> subprocess.CompletedProcess:
    (tmp_path / "program.scm").write_text(program, encoding="utf-8")
    environment = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "no-user-config")}
    if server is not None:
        environment["TASKSCHEME_OPENAI_BASE_URL"] = server.openai_url
        environment["TASKSCHEME_OPENAI_API_KEY"] = "sk-test"
    command = [sys.executable, "-m", "interpreter", "run", "program.scm", "--model", model]
    return subprocess.run(
        [*command, *options],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


class Unreported:
    """A provider that reports no usage, as some OpenAI-compatible servers do."""

    spec = "test:unreported"

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)

    def complete(self, request: ModelRequest) -> ModelResponse:
        return ModelResponse(self.answers.pop(0))


BILLED = "(let ((m (task-metrics))) (map (lambda (k) (metrics-ref m 'billed k)) '(input output source cost)))"
ECHO = '(define-task (echo word) "Say {{word}}")\n'


def test_billed_figures_are_the_providers_where_it_reports_usage():
    model = ScriptedModel([ModelResponse("hello", usage=Usage(120, 9))])
    assert run(ECHO + '(echo "hello")\n' + BILLED, model) == [120, 9, "provider", False]


def test_billed_figures_are_our_count_where_the_provider_reports_none():
    # "Say hello" is 2 tokens and 3 of framing; the answer "hello" 1
    program = ECHO + '(echo "hello")\n' + BILLED
    assert run(program, Unreported("hello")) == [5, 1, "counted", False]
    counted = "(list (metrics-ref (task-metrics) 'tokens 'input) (metrics-ref (task-metrics) 'tokens 'output))"
    assert run(ECHO + '(echo "hello")\n' + counted, Unreported("hello")) == [5, 1]


def test_a_task_whose_turns_mix_reported_and_unreported_usage_says_mixed():
    answers = iter([ModelResponse("", usage=Usage(50, 5)), ModelResponse("done")])

    class Half(Unreported):
        def complete(self, request: ModelRequest) -> ModelResponse:
            answer = next(answers)
            if answer.usage is None:
                return answer
            return ModelResponse("", (_lookup_call(),), usage=answer.usage)

    program = """
    (define-tool (lookup (q string "what")) "Look up." "found")
    (define-task (ask q) #:tools (list lookup) "{{q}}")
    (ask "x")
    (list (metrics-ref (task-metrics) 'billed 'source) (metrics-ref (task-metrics) 'billed 'input))"""
    source, billed_input = run(program, Half())
    assert source == "mixed"
    assert billed_input > 50  # the reported 50 plus the second turn's counted input


def _lookup_call() -> ToolCall:
    return ToolCall("call_1", "lookup", {"q": "x"})


def test_cost_is_priced_from_the_configured_table_exactly():
    # test models have no price until configuration gives one
    config = {"model": "test:priced"}
    model = FunctionModel(
        lambda r: ModelResponse("ok", usage=Usage(1000, 100, 400)), spec="test:priced"
    )
    prices = {"test:priced": {"input_price": 1.0, "cached_input_price": 0.1, "output_price": 3.0}}
    base = settings(**config)
    priced = Settings(base.values, base.sources, prices, dict.fromkeys(prices, "test"))
    interp = Interpreter(priced, model=model)
    result = interp.eval(ECHO + '(echo "a")\n(echo "b")\n' + BILLED)
    # 600 fresh input at $1/M, 400 cached at $0.10/M, 100 output at $3/M, per call
    assert result == [1000, 100, "provider", pytest.approx((600 + 40 + 300) / 1e6)]
    budget = interp.eval("(metrics-ref (run-budget) 'cost 'used)")
    assert budget == pytest.approx(2 * (600 + 40 + 300) / 1e6)
    assert interp.eval("(metrics-ref (run-budget) 'billed-tokens 'used)") == 2200


def test_known_models_carry_list_prices_and_configuration_corrects_them():
    assert resolve_model("openai:gpt-4o-mini-2024-07-18").prices == Prices(0.15, 0.075, 0.60)
    assert resolve_model("anthropic:claude-sonnet-4-5").prices == Prices(3.0, 0.30, 15.0)
    corrected = resolve_model("gpt-4o-mini", {"gpt-4o-mini": {"output_price": 1.0}})
    assert corrected.prices == Prices(0.15, 0.075, 1.0)
    assert resolve_model("test:x").prices is None
    assert resolve_model("test:x", {"test:x": {"input_price": 2}}).prices is None
    assert resolve_model("test:x", {"test:x": {"input_price": 2, "output_price": 4}}).prices == (
        Prices(2, 2, 4)
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (-1, "must be a finite number, at least 0"),
        ("1", "must be a number"),
        (True, "must be a number"),
    ],
)
def test_a_bad_price_in_configuration_is_a_config_error(value, problem):
    with pytest.raises(ConfigError) as caught:
        resolve_model("test:x", {"test:x": {"output_price": value}})
    assert problem in caught.value.message
    assert "output_price" in caught.value.message


def test_verbose_trace_and_metrics_show_billed_tokens_and_cost(tmp_path, fake_llm):
    fake_llm.reply("hello", usage=(1000, 200))
    program = ECHO + "(echo \"hello\")\n(display (metrics-ref (task-metrics) 'billed 'cost))"
    result = cli(tmp_path, fake_llm, program, "--verbose", "--trace", "trace.jsonl")
    assert result.returncode == 0, result.stderr
    cost = 1000 * 0.15 / 1e6 + 200 * 0.60 / 1e6  # gpt-4o-mini's list prices
    assert float(result.stdout) == pytest.approx(cost)
    assert "billed in 1,000 out 200 (provider), cost $0.00027" in result.stderr
    assert "run: budget turns 1, tokens" in result.stderr
    assert "billed 1,200 tokens, cost $0.00027" in result.stderr
    events = [json.loads(line) for line in (tmp_path / "trace.jsonl").read_text().splitlines()]
    billed = [event for event in events if event["event"] == "billed"]
    assert [event["detail"] for event in billed] == [
        {
            "turn": 1,
            "input": 1000,
            "output": 200,
            "cached_input": 0,
            "source": "provider",
            "cost": pytest.approx(cost),
        }
    ]
    assert events[-1]["metrics"]["billed"]["cost"] == pytest.approx(cost)


def test_an_unknown_price_is_an_unknown_cost_not_zero(tmp_path, fake_llm):
    (tmp_path / "taskscheme.toml").write_text(
        '[models."openai:house-model"]\ninput_window = 8000\n'
    )
    fake_llm.reply("hello")
    program = ECHO + "(echo \"hello\")\n(write (metrics-ref (task-metrics) 'billed 'cost))"
    result = cli(tmp_path, fake_llm, program, "--verbose", model="openai:house-model")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "#f"
    assert "(provider), cost unknown" in result.stderr


def test_the_exhaustion_error_shows_the_billed_figures(tmp_path, fake_llm):
    fake_llm.reply("", tool_calls=[("lookup", {"q": "x"})], usage=(300, 20))
    program = """
    (define-tool (lookup (q string "what")) "Look up." "found")
    (define-task (ask q) #:max-turns 1 #:tools (list lookup) "{{q}}")
    (ask "x")"""
    result = cli(tmp_path, fake_llm, program)
    assert result.returncode == 3
    assert "metrics: turns 1/1" in result.stderr
    assert "billed in 300 out 20 (provider), cost $0.000057" in result.stderr


def test_a_replay_bills_exactly_what_the_recording_did(tmp_path):
    answers = iter(["", "done"])

    def respond(request: ModelRequest):
        text = next(answers)
        return (
            {"text": text, "tool_calls": [{"name": "lookup", "arguments": {"q": "x"}}]}
            if text == ""
            else text
        )

    program = """
    (define-tool (lookup (q string "what")) "Look up." "found")
    (define-task (ask q) #:tools (list lookup) "{{q}}")
    (ask "x")"""
    cassette = str(tmp_path / "c.jsonl")
    recorded, replayed = Released(), Released()
    interpreter(FunctionModel(respond), events=recorded.bus, record_path=cassette).eval(program)
    interpreter(config={"model": f"replay:{cassette}"}, events=replayed.bus).eval(program)
    first, second = recorded.events[0].metrics, replayed.events[0].metrics
    assert first.billed.source == "provider"
    assert first.billed == second.billed
    assert first.tokens == second.tokens


def test_openai_cached_prompt_tokens_are_billed_at_the_cached_price(tmp_path, fake_llm):
    fake_llm.reply("hello", usage=(2000, 100), cached_tokens=1024)
    program = ECHO + '(echo "hello")\n' + f"(write {BILLED})"
    result = cli(tmp_path, fake_llm, program)
    assert result.returncode == 0, result.stderr
    cost = (976 * 0.15 + 1024 * 0.075 + 100 * 0.60) / 1e6
    billed_input, output, source, shown_cost = result.stdout.strip("()").split()
    assert (billed_input, output, source) == ("2000", "100", "provider")
    assert float(shown_cost) == pytest.approx(cost)


def test_a_task_is_warned_at_80_percent_of_its_output_and_cost_limits(tmp_path, fake_llm):
    fake_llm.reply("", tool_calls=[("lookup", {"q": "x"})], usage=(1000, 90))
    fake_llm.reply("done", usage=(1000, 5))
    program = """
    (define-tool (lookup (q string "what")) "Look up." "found")
    (define-task (ask q) #:max-output-tokens 100 #:max-cost 0.0004 #:tools (list lookup) "{{q}}")
    (ask "x")"""
    result = cli(tmp_path, fake_llm, program, "--verbose", "--budget-cost", "0.00044")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    # 90 of 100 output tokens; $0.000204 then $0.000357 of $0.0004, and of the run's $0.00044
    assert warnings == [
        "warning: task ask has used 90 of 100 output tokens",
        "warning: run budget has used 0.000357 of 0.00044 dollars",
        "warning: task ask has used 0.000357 of 0.0004 dollars",
    ]
