"""Record and replay from task programs, the shipped examples, and the real provider
adapters driven by task programs against the local fake server."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from tasks_support import Released, interpreter

from interpreter.engine.capabilities import Capabilities
from interpreter.engine.interpreter import Interpreter
from interpreter.errors import ProviderError, TaskschemeError
from interpreter.limits.settings import load_settings
from interpreter.providers import ScriptedModel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
from record_cassettes import metrics_record, sorted_metrics  # noqa: E402

EXAMPLES = ["ticket-classifier", "summarize-critique", "tool-use", "limit-guard"]


def _replay(name: str, capsys, *args: str):
    """Run examples/NAME.scm from its cassette; (stdout, sorted released metrics)."""
    released = Released()
    program = f"examples/{name}.scm"
    interp = interpreter(
        config={"model": f"replay:examples/cassettes/{name}.jsonl"},
        events=released.bus,
        argv=[program, *args],
        # the program reads its data beside it, or the file its arguments name
        capabilities=Capabilities(read=[ROOT / "examples", *args]),
    )
    interp.run_file(program)
    metrics = sorted_metrics([metrics_record(event) for event in released.events])
    return capsys.readouterr().out, metrics


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_example_replays_offline_with_the_recorded_metrics(name, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out, metrics = _replay(name, capsys)
    recorded = json.loads((ROOT / f"examples/cassettes/{name}.metrics.json").read_text())
    assert metrics == recorded
    assert out.strip()


def test_the_ticket_classifier_prints_its_table_and_metrics(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out, metrics = _replay("ticket-classifier", capsys)
    lines = out.splitlines()
    assert lines[0].split() == ["id", "customer", "label", "urgency", "summary"]
    assert lines[1].startswith("T-101  Ana Souza      billing          high     ")
    assert "  T-101  turns 1/2  context peak " in out
    assert lines[-1] == (
        f"Total: 12 tickets, 12 turns, {sum(m['tokens']['input'] for m in metrics)} input and "
        f"{sum(m['tokens']['output'] for m in metrics)} output tokens"
    )


def test_a_request_the_cassette_does_not_have_is_a_mismatch_error(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    tickets = (ROOT / "examples/data/tickets.csv").read_text().splitlines()
    changed = tmp_path / "tickets.csv"
    changed.write_text("\n".join([*tickets[:2], "T-999,Zoe,My invoice is wrong."]) + "\n")
    with pytest.raises(ProviderError) as caught:
        _replay("ticket-classifier", capsys, str(changed))
    error = caught.value
    assert error.reason == "cassette-mismatch"
    assert "closest recorded request differs" in error.message
    assert "My invoice is wrong." in error.message


PROGRAM = """
(define-tool (lookup (id string "order id")) "Look up an order." (list (cons 'id id) (cons 'status "shipped")))
(define-task (track question)
  #:system "You track orders."
  #:tools (list lookup)
  #:output '((type . "object") (properties (status (type . "string"))) (required "status"))
  "{{question}}")
(define answer (track "Where is A7?"))
(list (cdr (assoc "status" answer))
      (metrics-ref (task-metrics) 'turns 'used)
      (metrics-ref (task-metrics) 'tokens 'reported-input)
      (metrics-ref (task-metrics) 'tokens 'reported-output))
"""


def _script(fake_llm) -> None:
    fake_llm.reply(tool_calls=[("lookup", {"id": "A7"})], usage=(120, 15))
    fake_llm.reply('{"status": "shipped"}', usage=(170, 9))


@pytest.mark.parametrize(
    ("spec", "url_setting", "url"),
    [
        ("openai:gpt-4o-mini", "openai_base_url", "openai_url"),
        ("anthropic:claude-haiku-4-5", "anthropic_base_url", "url"),
    ],
)
def test_a_task_program_through_a_real_provider_adapter(fake_llm, spec, url_setting, url):
    _script(fake_llm)
    provider = spec.split(":")[0]
    config = {"model": spec, url_setting: getattr(fake_llm, url), f"{provider}_api_key": "test-key"}
    assert interpreter(config=config).eval(PROGRAM) == ["shipped", 2, 290, 24]
    first, second = (received.body for received in fake_llm.received)
    if provider == "openai":
        assert first["tools"][0]["function"]["name"] == "lookup"
        assert first["response_format"]["type"] == "json_schema"
        assert second["messages"][-1] == {
            "role": "tool",
            "tool_call_id": "call_1",
            "content": '{"id": "A7", "status": "shipped"}',
        }
    else:
        assert first["tools"][0]["name"] == "lookup"
        assert "It must satisfy this JSON schema" in first["system"]
        assert second["messages"][-1]["content"] == [
            {
                "type": "tool_result",
                "tool_use_id": "toolu_1",
                "content": '{"id": "A7", "status": "shipped"}',
            }
        ]


def test_a_recorded_run_replays_offline_with_identical_results_and_metrics(fake_llm, tmp_path):
    _script(fake_llm)
    cassette = tmp_path / "run.jsonl"
    live = {
        "model": "openai:gpt-4o-mini",
        "openai_base_url": fake_llm.openai_url,
        "openai_api_key": "k",
    }
    recording, replaying = Released(), Released()
    recorded = interpreter(config=live, events=recording.bus, record_path=str(cassette)).eval(
        PROGRAM
    )
    fake_llm.received.clear()
    replayed = interpreter(config={"model": f"replay:{cassette}"}, events=replaying.bus).eval(
        PROGRAM
    )
    assert replayed == recorded == ["shipped", 2, 290, 24]
    assert fake_llm.received == []
    (before,), (after,) = recording.events, replaying.events
    assert metrics_record(after) == metrics_record(before)
    assert after.metrics.model == "openai:gpt-4o-mini"


def test_a_replayed_config_defined_model_needs_no_configuration(fake_llm, tmp_path):
    """A model known only from [models."SPEC"] is recorded with its window, so a replay
    without that configuration accounts it the same way."""
    fake_llm.reply("hi", usage=(5, 1))
    cassette = tmp_path / "run.jsonl"
    program = "(define-task (t x) \"{{x}}\") (t 1) (metrics-ref (task-metrics) 'context 'limit)"
    project = tmp_path / "project"
    project.mkdir()
    (project / "taskscheme.toml").write_text('[models."ollama:tiny"]\ninput_window = 4000\n')
    live = load_settings(
        {"model": "ollama:tiny", "ollama_base_url": fake_llm.openai_url},
        cwd=project,
        environ={},
        home=tmp_path,
    )
    assert Interpreter(live, record_path=str(cassette)).eval(program) == 2000
    replayed = interpreter(config={"model": f"replay:{cassette}"}).eval(program)
    assert replayed == 2000


def test_while_recording_or_replaying_every_task_must_use_the_runs_model(tmp_path):
    source = ROOT / "examples/cassettes/limit-guard.jsonl"
    cassette = tmp_path / "c.jsonl"
    shutil.copy(source, cassette)
    program = '(define-task (t x) #:model "openai:gpt-4o" "{{x}}") (t 1)'
    with pytest.raises(
        TaskschemeError,
        match=r"t: #:model openai:gpt-4o cannot be used: this run replays one model, openai:gpt-4o-mini",
    ):
        interpreter(
            config={"model": f"replay:{cassette}"}, capabilities=Capabilities(models=True)
        ).eval(program)


def test_replay_with_a_missing_cassette_is_a_provider_error(tmp_path):
    program = '(define-task (t x) "{{x}}") (guard (e ((provider-error? e) (provider-error-reason e))) (t 1))'
    assert (
        interpreter(config={"model": f"replay:{tmp_path / 'none.jsonl'}"}).eval(program)
        == "cassette-missing"
    )


def test_defining_a_task_connects_no_model():
    # Connecting this model would fail; only calling a task connects it.
    program = '(define-task (t x) "{{x}}") (+ 1 2)'
    assert interpreter(config={"model": "replay:/nonexistent.jsonl"}).eval(program) == 3


def test_a_task_can_name_its_own_model(fake_llm):
    fake_llm.reply("from the server", usage=(9, 3))
    config = {"openai_base_url": fake_llm.openai_url, "openai_api_key": "k"}
    program = """
    (define-task (local x) "{{x}}")
    (define-task (remote x) #:model "openai:gpt-3.5-turbo" "{{x}}")
    (list (local 1) (metrics-ref (task-metrics) 'model) (metrics-ref (task-metrics) 'context 'limit)
          (remote 2) (metrics-ref (task-metrics) 'model) (metrics-ref (task-metrics) 'context 'limit))"""
    result = interpreter(
        ScriptedModel(["from the script"]), config=config, capabilities=Capabilities(models=True)
    ).eval(program)
    assert result == [
        "from the script",
        "test:scripted",
        64_000,
        "from the server",
        "openai:gpt-3.5-turbo",
        8_192,
    ]
    assert fake_llm.last.body["model"] == "gpt-3.5-turbo"
