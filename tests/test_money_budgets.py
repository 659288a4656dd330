"""Budgets on billed tokens and on cost, for the run (`--budget-billed-tokens`,
`--budget-cost`) and for a task (`#:max-output-tokens`, `#:max-cost`): each request is
checked before it is sent against the most it can bill (its counted input plus its
output cap), held at that until its answer says what it billed, and never exceeded, even
by many tasks at once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from fractions import Fraction
from pathlib import Path

import pytest
from fake_llm_server import Reply
from tasks_support import run, settings

from interpreter.engine.interpreter import Interpreter
from interpreter.errors import (
    BudgetExhaustedError,
    ConfigError,
    ProviderError,
    ResourceExhaustionError,
)
from interpreter.limits.budget import Budget
from interpreter.limits.guidance import recovery
from interpreter.limits.messages import ModelRequest, ModelResponse, ToolCall, Usage
from interpreter.limits.settings import Settings
from interpreter.limits.tokens import count_tokens
from interpreter.providers import FunctionModel, ScriptedModel

# Dear prices, so that a few tokens make a visible cost: dollars per million tokens.
PRICES = '[models."openai:gpt-4o-mini"]\ninput_price = 100\noutput_price = 1000\n'
INPUT_PRICE, OUTPUT_PRICE = Fraction(100, 10**6), Fraction(1000, 10**6)
RUN = [sys.executable, "-m", "interpreter", "run"]


def cli(tmp_path: Path, server, program: str, *options: str) -> subprocess.CompletedProcess:
    (tmp_path / "program.scm").write_text(program, encoding="utf-8")
    environment = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "no-user-config"),
        "TASKSCHEME_OPENAI_BASE_URL": server.openai_url,
        "TASKSCHEME_OPENAI_API_KEY": "sk-test",
    }
    return subprocess.run(
        [*RUN, "program.scm", "--model", "openai:gpt-4o-mini", *options],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


class BillingServer:
    """The local server's answers for parallel tasks: each bills its whole output cap (the
    worst case) and exactly the input we count, after a pause so that requests overlap.
    It keeps its own tally of what it billed. With `overbill`, it ignores the cap as some
    OpenAI-compatible servers do, and bills that many times it."""

    def __init__(self, overbill: int = 1) -> None:
        self.overbill = overbill
        self.billed: list[tuple[int, int]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, path: str, body: dict) -> Reply:
        cap = body["max_completion_tokens"] * self.overbill  # every request carries its cap
        prompt = sum(count_tokens(m["content"], "o200k_base") + 3 for m in body["messages"])
        with self._lock:
            self.billed.append((prompt, cap))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        threading.Event().wait(0.05)
        with self._lock:
            self.in_flight -= 1
        return Reply("bug", usage=(prompt, cap))

    def cost(self) -> Fraction:
        return sum(
            (prompt * INPUT_PRICE + output * OUTPUT_PRICE for prompt, output in self.billed),
            Fraction(0),
        )


PARALLEL = """
(define-task (label ticket) #:max-output-tokens 20 "Label this ticket: {{ticket}}")
(parallel-map label (iota 60) #:workers 12)
(display "finished")
"""


def test_a_cost_budget_is_never_exceeded_by_parallel_tasks(tmp_path, fake_llm):
    (tmp_path / "taskscheme.toml").write_text(PRICES)
    server = fake_llm.fallback = BillingServer()
    result = cli(tmp_path, fake_llm, PARALLEL, "--budget-cost", "0.25")
    assert result.returncode == 3, result.stderr
    assert "finished" not in result.stdout
    assert server.most_in_flight > 1  # the tasks did race each other
    assert 0.2 < server.cost() <= Fraction(25, 100)  # spent up to the cap, never past it
    assert "stopped by the run budget" in result.stderr
    assert "would exceed the run's cost limit of $0.25" in result.stderr
    assert "run budget: budget turns " in result.stderr


SEQUENTIAL = """
(define-task (label ticket) #:max-output-tokens 20 "Label this ticket: {{ticket}}")
(guard (e ((resource-exhausted? e) (display (error-object-message e)))) (label 1))
(label 2)
(display "finished")
"""


def test_a_provider_billing_past_its_cap_stops_the_run_at_the_answer_that_passed_the_budget(
    tmp_path, fake_llm
):
    (tmp_path / "taskscheme.toml").write_text(PRICES)
    server = fake_llm.fallback = BillingServer(overbill=20)
    result = cli(tmp_path, fake_llm, SEQUENTIAL, "--budget-cost", "0.25", "--verbose")
    assert result.returncode == 3, result.stderr
    # the answer bills 400 output tokens ($0.40) for a cap of 20 ($0.02): it passes the
    # budget, its task ends at once, and the next task's request is never sent
    assert len(server.billed) == 1
    assert server.cost() > Fraction(25, 100)
    overbilled = (
        "openai:gpt-4o-mini billed 400 output tokens for a request sent with an output cap "
        "of 20: it does not honour the cap"
    )
    assert f"warning: task label: {overbilled}" in result.stderr
    assert result.stdout.startswith(
        "task 'label' stopped by the run budget: $0.4009 spent is past the run's cost limit "
        f"of $0.25; {overbilled}. "
    )
    # the next task's request cannot be held
    assert "task 'label' stopped by the run budget: $0.4009 spent + " in result.stderr
    assert result.stdout.endswith("Raise it with budget_cost in taskscheme.toml or --budget-cost.")


def test_an_answer_past_a_tasks_own_limits_ends_it_at_once():
    events = []

    def overbilled(request: ModelRequest) -> ModelResponse:
        return ModelResponse("ok", usage=Usage(5, 10 * request.max_output_tokens))

    model = FunctionModel(overbilled, spec="test:priced")
    interp = Interpreter(_priced(), model=model, observers=[events.append])
    program = '(define-task (t) #:max-output-tokens 30 "start") (t)'
    with pytest.raises(ResourceExhaustionError) as caught:
        interp.eval(program)
    error = caught.value
    assert error.resource == "output-tokens"
    assert error.message.startswith(
        "task 't' exhausted its output tokens: 300 of 30 billed; test:priced billed 300 output "
        "tokens for a request sent with an output cap of 30: it does not honour the cap."
    )
    # the answer is in the transcript, though its task ended before using it
    assert error.transcript[-1] == {"role": "assistant", "content": "ok"}
    warnings = [e.detail for e in events if e.kind == "warning"]
    shown = {key: warnings[0][key] for key in ("resource", "used", "limit")}
    assert shown == {"resource": "output-cap", "used": 300, "limit": 30}
    assert len(model.requests) == 1
    # its worst case ($0.008196) fits, its answer bills 40,960 output tokens ($0.08)
    with pytest.raises(
        ResourceExhaustionError, match=r"stopped by its cost limit: \S+ spent is past"
    ):
        interp.eval('(define-task (c) #:max-cost 0.009 "go") (c)')
    assert len(model.requests) == 2


def test_a_billed_token_budget_is_never_exceeded_by_parallel_tasks(tmp_path, fake_llm):
    server = fake_llm.fallback = BillingServer()
    result = cli(tmp_path, fake_llm, PARALLEL, "--budget-billed-tokens", "1000")
    assert result.returncode == 3, result.stderr
    assert server.most_in_flight > 1
    billed = sum(prompt + output for prompt, output in server.billed)
    assert 900 < billed <= 1000
    assert "would exceed the run's limit of 1,000 billed tokens" in result.stderr


def test_a_cost_budget_on_a_model_without_a_price_is_refused_before_anything_runs(
    tmp_path, fake_llm
):
    (tmp_path / "taskscheme.toml").write_text('[models."openai:house"]\ninput_window = 8000\n')
    (tmp_path / "program.scm").write_text('(display "ran")')
    result = subprocess.run(
        [*RUN, "program.scm", "--model", "openai:house", "--budget-cost", "1"],
        cwd=tmp_path,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "none")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "the price of openai:house is not known" in result.stderr
    assert "input_price = " in result.stderr
    assert fake_llm.received == []


def test_a_task_model_without_a_price_under_a_cost_budget_fails_before_its_request():
    model = ScriptedModel(["never sent"], spec="test:unpriced")
    interp = Interpreter(settings(budget_cost=1.0), model=model)
    with pytest.raises(ConfigError) as caught:
        interp.eval('(define-task (t) "hi") (t)')
    assert "task 't' cannot be kept under the run's cost budget" in caught.value.message
    assert model.requests == []


def _priced(**values) -> Settings:
    """Settings in which the offline test model costs $1 per million input tokens and $2
    per million output tokens."""
    base = settings(model="test:priced", **values)
    table = {"test:priced": {"input_price": 1, "output_price": 2}}
    return Settings(base.values, base.sources, table, dict.fromkeys(table, "test"))


def _calling(request: ModelRequest, output: int = 40, prompt: int = 10) -> ModelResponse:
    """An answer that asks for the tool `again`, billing `prompt` input tokens and
    `output` output tokens (at most the request's cap)."""
    spent = output if request.max_output_tokens is None else min(output, request.max_output_tokens)
    call = ToolCall(f"call_{len(request.messages)}", "again", {})
    return ModelResponse("", (call,), usage=Usage(prompt, spent))


AGAIN = """
(define-tool (again) "Go on." "more")
(define (spent e)
  (list (resource-error-resource e)
        (metrics-ref (resource-error-metrics e) 'turns 'used)
        (metrics-ref (resource-error-metrics e) 'billed 'output)
        (metrics-ref (resource-error-metrics e) 'billed 'cost)))
"""


def test_max_output_tokens_caps_each_request_at_what_is_left_and_ends_the_task():
    model = FunctionModel(_calling, spec="test:x")
    program = (
        AGAIN
        + """(define-task (t) #:max-output-tokens 100 #:tools (list again) "start")
        (guard (e ((resource-exhausted? e) (spent e))) (t))"""
    )
    assert run(program, model) == ["output-tokens", 3, 100, False]
    assert [request.max_output_tokens for request in model.requests] == [100, 60, 20]


def test_max_cost_refuses_a_request_whose_worst_case_would_cross_it():
    # each answer bills 1,000 input and 500 output tokens: $0.002; the worst case of a
    # request is its input plus the default cap of 4,096 output tokens: over $0.0082
    model = FunctionModel(lambda r: _calling(r, output=500, prompt=1000), spec="test:priced")
    program = (
        AGAIN
        + """(define-task (t) #:max-cost 0.0125 #:tools (list again) "start")
        (guard (e ((resource-exhausted? e) (spent e))) (t))"""
    )
    resource, turns, output, cost = Interpreter(_priced(), model=model).eval(program)
    assert (resource, turns, output) == ("cost", 3, 1500)
    assert cost == pytest.approx(0.006)
    assert {request.max_output_tokens for request in model.requests} == {4096}


def test_a_task_whose_first_request_could_cost_more_than_its_max_cost_sends_nothing():
    model = FunctionModel(lambda r: _calling(r), spec="test:priced")
    interp = Interpreter(_priced(), model=model)
    with pytest.raises(ResourceExhaustionError) as caught:
        interp.eval('(define-task (t) #:max-cost 0.001 "start") (t)')
    error = caught.value
    assert error.resource == "cost"
    assert model.requests == []
    assert (
        "task 't' stopped by its cost limit: $0.00 spent + $0.008196 the next request may cost at worst"
        in error.message
    )
    assert "(4 input + 4,096 output tokens) would exceed $0.001" in error.message


def test_a_task_without_a_price_cannot_have_a_max_cost():
    model = ScriptedModel(["never sent"], spec="test:unpriced")
    with pytest.raises(ConfigError) as caught:
        run('(define-task (t) #:max-cost 0.5 "hi") (t)', model)
    assert "task 't' cannot be kept under its max_cost" in caught.value.message
    assert model.requests == []


def test_the_run_budget_holds_each_request_until_its_answer_settles_it():
    budget = Budget(max_billed_tokens=10_000)
    seen = []

    def answer(request: ModelRequest) -> ModelResponse:
        seen.append(budget.snapshot().billed_tokens_reserved)
        return ModelResponse("ok", usage=Usage(7, 3))

    model = FunctionModel(answer, spec="test:x")
    interp = Interpreter(settings(), model=model, budget=budget)
    interp.eval('(define-task (t) #:max-output-tokens 50 "start") (t) (t)')
    # while a request is out its worst case is held: 4 counted input tokens + the cap of 50
    assert seen == [54, 54]
    snapshot = budget.snapshot()
    assert (snapshot.billed_tokens_used, snapshot.billed_tokens_reserved) == (20, 0)


@pytest.mark.parametrize(("reason", "kept"), [("rate-limit", 0), ("timeout", 54)])
def test_a_request_without_an_answer_settles_its_hold(reason, kept):
    # a refused request billed nothing; one that timed out may have been billed
    budget = Budget(max_billed_tokens=10_000)

    def fail(request: ModelRequest) -> ModelResponse:
        raise ProviderError("test", reason, request=request)

    interp = Interpreter(settings(), model=FunctionModel(fail), budget=budget)
    with pytest.raises(ProviderError):
        interp.eval('(define-task (t) #:max-output-tokens 50 "start") (t)')
    snapshot = budget.snapshot()
    assert (snapshot.billed_tokens_used, snapshot.billed_tokens_reserved) == (kept, 0)


def test_budget_exhaustion_carries_the_budget_figures():
    budget = Budget(max_billed_tokens=100)
    model = FunctionModel(lambda r: ModelResponse("ok", usage=Usage(5, 40)), spec="test:x")
    interp = Interpreter(settings(), model=model, budget=budget)
    with pytest.raises(BudgetExhaustedError) as caught:
        interp.eval('(define-task (t) #:max-output-tokens 45 "start") (t) (t) (t)')
    error = caught.value
    assert error.resource == "budget-billed-tokens"
    assert error.budget.billed_tokens_used == 90  # two answers of 45; a third could bill 50
    assert len(model.requests) == 2


def test_tools_do_not_run_when_no_request_could_send_their_results():
    # the answer that asks for the tool bills all 10 output tokens the task may use
    model = FunctionModel(lambda r: _calling(r, output=10), spec="test:x")
    program = """
    (define runs 0)
    (define-tool (again) "Go on." (set! runs (+ runs 1)) "more")
    (define-task (t) #:max-output-tokens 10 #:tools (list again) "start")
    (list (guard (e ((resource-exhausted? e) (error-object-message e))) (t)) runs)"""
    message, runs = run(program, model)
    assert message == (
        "task 't' exhausted its output tokens: 10 of 10 billed; the tools the model asked "
        "for were not run, as their results could not be sent. " + recovery("output-tokens")
    )
    assert runs == 0


def test_nor_when_the_run_budget_could_not_pay_for_that_request():
    budget = Budget(max_billed_tokens=100)
    model = FunctionModel(lambda r: _calling(r, output=10, prompt=60), spec="test:x")
    program = """
    (define runs 0)
    (define-tool (again) "Go on." (set! runs (+ runs 1)) "more")
    (define-task (t) #:max-output-tokens 30 #:tools (list again) "start")
    (list (guard (e ((resource-exhausted? e) (resource-error-resource e))) (t)) runs)"""
    interp = Interpreter(settings(), model=model, budget=budget)
    # 70 billed; the next request would be at least its input and 20 output tokens more
    assert interp.eval(program) == ["budget-billed-tokens", 0]
