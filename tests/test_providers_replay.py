"""Recording exchanges to a cassette and answering from it offline."""

import json
import subprocess
import sys
import threading

import pytest

from interpreter.errors import ProviderError
from interpreter.limits.messages import (
    Message,
    ModelRequest,
    ModelResponse,
    ToolCall,
    ToolSpec,
    Usage,
)
from interpreter.providers import (
    ProviderOptions,
    RecordingProvider,
    ReplayProvider,
    ScriptedModel,
    make_provider,
)

TOOL = ToolSpec("lookup", "Look a thing up.", {"type": "object", "properties": {}})


def ask(text: str, **fields) -> ModelRequest:
    return ModelRequest(
        "gpt-4o-mini", (Message("system", "Be brief."), Message("user", text)), **fields
    )


def record(path, answers: dict[str, str], **header) -> None:
    """A cassette of one exchange per (prompt, answer), made with a scripted model."""
    model = ScriptedModel(list(answers.values()), spec="openai:gpt-4o-mini")
    recorder = RecordingProvider(model, path, **header)
    for prompt in answers:
        recorder.complete(ask(prompt))


def test_record_against_server_then_replay_offline(fake_llm, tmp_path):
    cassette = tmp_path / "run.jsonl"
    options = {"openai": ProviderOptions(base_url=fake_llm.openai_url, api_key="sk-test")}
    recorder = RecordingProvider(make_provider("openai:gpt-4o-mini", options), cassette)
    assert recorder.spec == "openai:gpt-4o-mini"
    fake_llm.reply(tool_calls=[("lookup", {"q": "A7"})], usage=(30, 8))
    fake_llm.reply("A7 shipped.", usage=(45, 4))
    first_request = ask("Where is A7?", tools=(TOOL,), output="json")
    first = recorder.complete(first_request)
    second_request = ModelRequest(
        "gpt-4o-mini",
        (
            *first_request.messages,
            first.to_message(),
            Message("tool", "shipped", tool_call_id="call_1"),
        ),
        tools=(TOOL,),
    )
    second = recorder.complete(second_request)
    fake_llm.close()  # replay needs no server

    replay = make_provider(f"replay:{cassette}")
    assert replay.spec == f"replay:{cassette}"
    assert replay.recorded_model == "openai:gpt-4o-mini"
    assert replay.complete(first_request) == first
    assert replay.complete(second_request) == second
    assert second.usage == Usage(45, 4)
    assert first.tool_calls == (ToolCall("call_1", "lookup", {"q": "A7"}),)


def test_cassette_is_readable_json_lines(tmp_path):
    cassette = tmp_path / "c.jsonl"
    record(cassette, {"Label: café": "billing"}, input_window=128000, encoding="o200k_base")
    header, exchange = (json.loads(line) for line in cassette.read_text().splitlines())
    assert header["taskscheme_cassette"] == 1
    assert header["model"] == "openai:gpt-4o-mini"
    assert header["recorded_at"].endswith("+00:00")
    assert (header["input_window"], header["encoding"]) == (128000, "o200k_base")
    assert exchange["request"] == ask("Label: café").to_json()
    assert exchange["response"]["text"] == "billing"
    assert exchange["response"]["usage"]["output_tokens"] > 0
    assert "café" in cassette.read_text(encoding="utf-8")

    replay = ReplayProvider(cassette)
    assert (replay.input_window, replay.encoding) == (128000, "o200k_base")


def test_header_without_model_details_leaves_them_unset(tmp_path):
    cassette = tmp_path / "c.jsonl"
    record(cassette, {"a": "1"})
    replay = ReplayProvider(cassette)
    assert (replay.input_window, replay.encoding) == (None, None)


def test_replay_matches_by_content_in_any_order(tmp_path):
    cassette = tmp_path / "c.jsonl"
    record(cassette, {f"item {i}": f"answer {i}" for i in range(8)})
    replay = ReplayProvider(cassette)
    answers: dict[int, str] = {}

    def run(i: int) -> None:
        answers[i] = replay.complete(ask(f"item {i}")).text

    threads = [threading.Thread(target=run, args=(i,)) for i in reversed(range(8))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {i: f"answer {i}" for i in range(8)}


def test_equal_requests_are_answered_in_recorded_order(tmp_path):
    cassette = tmp_path / "c.jsonl"
    model = ScriptedModel(["first", "second"], spec="openai:gpt-4o-mini")
    recorder = RecordingProvider(model, cassette)
    recorder.complete(ask("again"))
    recorder.complete(ask("again"))
    replay = ReplayProvider(cassette)
    assert [replay.complete(ask("again")).text for _ in range(2)] == ["first", "second"]
    with pytest.raises(ProviderError) as caught:
        replay.complete(ask("again"))
    assert "recorded 2 time(s) and each recording is already used" in caught.value.message


def test_mismatch_shows_a_diff_against_the_closest_request(tmp_path):
    cassette = tmp_path / "c.jsonl"
    record(cassette, {"Label this ticket: I was charged twice": "billing", "Something else": "x"})
    replay = ReplayProvider(cassette)
    with pytest.raises(ProviderError) as caught:
        replay.complete(ask("Label this ticket: I was charged three times"))
    error = caught.value
    assert error.reason == "cassette-mismatch"
    assert error.message.startswith(
        f"replay: request not in cassette calling gpt-4o-mini at {cassette} "
        '(2 messages, last: "Label this ticket: I was charged three…"): '
        "closest recorded request differs:\n"
    )
    assert "--- recorded (cassette line 2)" in error.detail
    assert '-      "content": "Label this ticket: I was charged twice",' in error.detail
    assert '+      "content": "Label this ticket: I was charged three times",' in error.detail


def test_mismatch_diff_of_long_prompts_shows_where_they_differ(tmp_path):
    cassette = tmp_path / "c.jsonl"
    filler = "lorem ipsum " * 60
    record(cassette, {filler + "RECORDED tail": "ok"})
    with pytest.raises(ProviderError) as caught:
        ReplayProvider(cassette).complete(ask(filler + "REQUESTED tail"))
    changed = [line for line in caught.value.detail.splitlines() if line[:1] in "-+"][2:]
    assert len(changed) == 2
    assert "RECORDED tail" in changed[0] and "REQUESTED tail" in changed[1]
    assert all(len(line) < 200 and "…" in line for line in changed)


def test_mismatch_when_every_exchange_is_used(tmp_path):
    cassette = tmp_path / "c.jsonl"
    record(cassette, {"a": "1", "b": "2"})
    replay = ReplayProvider(cassette)
    replay.complete(ask("a"))
    replay.complete(ask("b"))
    with pytest.raises(ProviderError) as caught:
        replay.complete(ask("c"))
    assert caught.value.detail == "all 2 recorded exchanges already used"


def test_missing_cassette(tmp_path):
    path = tmp_path / "nope.jsonl"
    with pytest.raises(ProviderError) as caught:
        make_provider(f"replay:{path}")
    assert caught.value.reason == "cassette-missing"
    assert caught.value.message == f"replay: cassette not found at {path}: no such file"


@pytest.mark.parametrize(
    ("text", "line", "detail"),
    [
        ("", 1, "the file is empty"),
        ('{"model": "openai:x"}\n', 1, "the first line must be a header"),
        (
            '{"taskscheme_cassette": 9, "model": "openai:x"}\n',
            1,
            "cassette version 9 is not supported",
        ),
        ('{"taskscheme_cassette": 1, "model": "openai:x"}\n\n{"request": oops\n', 3, "not JSON"),
        ('{"taskscheme_cassette": 1, "model": "openai:x"}\n[1, 2]\n', 2, "expected a JSON object"),
        (
            '{"taskscheme_cassette": 1, "model": "openai:x"}\n{"request": {}}\n',
            2,
            'expected {"request"',
        ),
        (
            '{"taskscheme_cassette": 1, "model": "openai:x"}\n{"ask_user": {"task": "t"}}\n',
            2,
            'a recorded question is {"ask_user"',
        ),
        (
            '{"taskscheme_cassette": 1, "model": "openai:x", "input_window": "900"}\n',
            1,
            'input_window "900" must be an integer',
        ),
        (
            '{"taskscheme_cassette": 1, "model": "openai:x", "encoding": "gpt9"}\n',
            1,
            'encoding "gpt9" must be one of cl100k_base, o200k_base',
        ),
    ],
)
def test_malformed_cassettes_name_path_and_line(tmp_path, text, line, detail):
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    with pytest.raises(ProviderError) as caught:
        ReplayProvider(path)
    assert caught.value.reason == "malformed"
    assert caught.value.message.startswith(f"replay: malformed cassette at {path} line {line}: ")
    assert detail in caught.value.detail


@pytest.mark.parametrize(
    ("usage", "detail"),
    [
        ('{"input_tokens": -3, "output_tokens": 1}', "input_tokens must be a whole number"),
        ('{"input_tokens": 3, "output_tokens": "1"}', "output_tokens must be a whole number"),
        ('{"input_tokens": "1e3", "output_tokens": 1}', 'got "1e3"'),
        ('{"input_tokens": 3}', "no 'output_tokens' field"),
        ('"12"', "usage must be an object"),
    ],
)
def test_recorded_usage_that_is_not_a_count_of_tokens_names_the_entry(tmp_path, usage, detail):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"taskscheme_cassette": 1, "model": "openai:gpt-4o-mini"}\n'
        '{"request": {"model": "gpt-4o-mini", "messages": []}, '
        f'"response": {{"text": "hi", "usage": {usage}}}}}\n'
    )
    with pytest.raises(ProviderError) as caught:
        ReplayProvider(path)
    assert caught.value.reason == "malformed"
    assert caught.value.message.startswith(f"replay: malformed cassette at {path} line 2: ")
    assert detail in caught.value.detail
    assert "int" not in caught.value.detail and "str" not in caught.value.detail


def test_calls_failing_with_other_than_a_provider_error_are_not_recorded(tmp_path):
    cassette = tmp_path / "c.jsonl"
    recorder = RecordingProvider(ScriptedModel([]), cassette)
    with pytest.raises(Exception, match="scripted"):
        recorder.complete(ask("a"))
    assert len(cassette.read_text().splitlines()) == 1


def test_recording_is_safe_under_concurrent_calls(tmp_path):
    cassette = tmp_path / "c.jsonl"
    recorder = RecordingProvider(
        ScriptedModel([ModelResponse(f"r{i}") for i in range(20)]), cassette
    )
    threads = [threading.Thread(target=recorder.complete, args=(ask(f"q{i}"),)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = cassette.read_text().splitlines()[1:]
    assert len(lines) == 20
    assert all("request" in json.loads(line) for line in lines)


@pytest.mark.parametrize(
    ("request_json", "response_json", "detail"),
    [
        ("{}", '{"text": 12}', "response.text must be a string, got 12"),
        ("{}", '{"text": "hi", "finish_reason": 5}', "response.finish_reason must be a string"),
        ("{}", '{"text": "", "tool_calls": "lookup"}', "response.tool_calls must be an array"),
        (
            "{}",
            '{"text": "", "tool_calls": [{"id": 1, "name": "lookup", "arguments": {}}]}',
            "response.tool_calls[0].id must be a string, got 1",
        ),
        ("{}", '{"text": "", "tool_calls": [7]}', "response.tool_calls[0] must be an object"),
        (
            '{"messages": [{"role": "user", "content": 7}]}',
            '{"text": "hi"}',
            "request.messages[0].content must be a string, got 7",
        ),
        ('{"max_output_tokens": true}', '{"text": "hi"}', "request.max_output_tokens must be"),
        ('{"model": 4}', '{"text": "hi"}', "request.model must be a string, got 4"),
    ],
)
def test_recorded_fields_of_the_wrong_type_name_the_field_and_the_line(
    tmp_path, request_json, response_json, detail
):
    request = {"model": "gpt-4o-mini", "messages": [], **json.loads(request_json)}
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"taskscheme_cassette": 1, "model": "openai:gpt-4o-mini"}\n'
        f'{{"request": {json.dumps(request)}, "response": {response_json}}}\n'
    )
    with pytest.raises(ProviderError) as caught:
        ReplayProvider(path)
    assert caught.value.reason == "malformed"
    assert caught.value.message.startswith(f"replay: malformed cassette at {path} line 2: ")
    assert detail in caught.value.detail


def test_a_cassette_answer_that_is_a_number_is_a_cassette_error_on_the_command_line(tmp_path):
    request = ask("hi").to_json()
    (tmp_path / "c.jsonl").write_text(
        '{"taskscheme_cassette": 1, "model": "openai:gpt-4o-mini"}\n'
        + json.dumps({"request": request, "response": {"text": 12}})
        + "\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "interpreter", "eval", '(llm "hi")', "--model", "replay:c.jsonl"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "malformed cassette at c.jsonl line 2: response.text must be a string" in result.stderr
    assert "internal" not in result.stderr
