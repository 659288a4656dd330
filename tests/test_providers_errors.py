"""Failures of the HTTP providers: each becomes a ProviderError naming the request."""

import socket
import threading
import time

import pytest

from interpreter.errors import ProviderError
from interpreter.limits.messages import Message, ModelRequest
from interpreter.providers import ProviderOptions, make_provider
from interpreter.providers.sdk import REQUEST_THREAD_PREFIX

REQUEST = ModelRequest(
    "some-model",
    (
        Message("system", "You label support tickets."),
        Message("user", "Label this ticket as bug, billing or other: I was charged twice"),
        Message("assistant", "billing"),
    ),
)
SUMMARY = '(3 messages, last: "Label this ticket as bug, billing or ot…")'


@pytest.fixture(params=["openai", "anthropic"])
def vendor(request):
    return request.param


def provider_for(vendor, server_url, *, api_key="sk-test", timeout=5.0):
    options = {vendor: ProviderOptions(base_url=server_url, api_key=api_key, timeout=timeout)}
    return make_provider(f"{vendor}:some-model", options)


def base_url(vendor, server):
    return server.openai_url if vendor == "openai" else server.url


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (401, "auth"),
        (403, "auth"),
        (429, "rate-limit"),
        (500, "server"),
        (529, "server"),
        (400, "bad-request"),
    ],
)
def test_error_status_maps_to_reason(fake_llm, vendor, status, reason):
    url = base_url(vendor, fake_llm)
    fake_llm.reply_error(status, "slow down")
    with pytest.raises(ProviderError) as caught:
        provider_for(vendor, url).complete(REQUEST)
    error = caught.value
    assert (error.kind, error.provider, error.reason) == ("provider-error", vendor, reason)
    assert error.status == status
    assert error.detail == "slow down"
    assert error.request_summary.model == "some-model"
    assert error.request_summary.message_count == 3
    assert f"(HTTP {status}) calling some-model at {url} {SUMMARY}: slow down" in error.message
    assert len(fake_llm.received) == 1  # no retry


def test_rate_limit_message_reads_well(fake_llm):
    fake_llm.reply_error(429, "slow down")
    with pytest.raises(ProviderError) as caught:
        provider_for("openai", fake_llm.openai_url).complete(REQUEST)
    assert caught.value.message == (
        f"openai: rate limited (HTTP 429) calling some-model at {fake_llm.openai_url} "
        f"{SUMMARY}: slow down"
    )


def test_slow_response_times_out(fake_llm, vendor):
    fake_llm.reply("too late", delay=5)
    provider = provider_for(vendor, base_url(vendor, fake_llm), timeout=0.3)
    with pytest.raises(ProviderError) as caught:
        provider.complete(REQUEST)
    assert caught.value.reason == "timeout"
    assert "timed out calling some-model" in caught.value.message
    assert "no answer within 0.3 s" in caught.value.message


def test_connection_refused(vendor):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}" + ("/v1" if vendor == "openai" else "")
    with pytest.raises(ProviderError) as caught:
        provider_for(vendor, url).complete(REQUEST)
    assert caught.value.reason == "connection"
    assert f"could not connect calling some-model at {url}" in caught.value.message


@pytest.mark.parametrize(
    ("raw", "content_type", "detail"),
    [
        ("this is not json", "application/json", "body is not JSON"),
        ("<html>oops</html>", "text/html", "body is not JSON: '<html>oops</html>'"),
        ('{"unexpected": true}', "application/json", "no "),
    ],
)
def test_malformed_bodies(fake_llm, vendor, raw, content_type, detail):
    fake_llm.reply(raw=raw, content_type=content_type)
    with pytest.raises(ProviderError) as caught:
        provider_for(vendor, base_url(vendor, fake_llm)).complete(REQUEST)
    assert caught.value.reason == "malformed"
    assert caught.value.status is None
    assert detail in caught.value.detail


def test_invalid_tool_arguments_are_malformed(fake_llm):
    body = (
        '{"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": '
        '"assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", '
        '"function": {"name": "lookup", "arguments": "{not json"}}]}}]}'
    )
    fake_llm.reply(raw=body)
    with pytest.raises(ProviderError) as caught:
        provider_for("openai", fake_llm.openai_url).complete(REQUEST)
    assert caught.value.reason == "malformed"
    assert "tool call 'lookup' has arguments that are not a JSON object" in caught.value.detail


def test_a_redirect_is_an_error_not_a_second_request(fake_llm, vendor):
    # Each HTTP request must be a charged turn: a redirect loop used to send three.
    url = base_url(vendor, fake_llm)
    endpoint = (
        fake_llm.openai_url + "/chat/completions" if vendor == "openai" else url + "/v1/messages"
    )
    for _ in range(3):
        fake_llm.reply(status=307, raw="", headers={"location": endpoint})
    with pytest.raises(ProviderError) as caught:
        provider_for(vendor, url).complete(REQUEST)
    assert len(fake_llm.received) == 1
    assert (caught.value.reason, caught.value.status) == ("bad-request", 307)
    assert caught.value.detail == (
        f"the server redirects to {endpoint}; redirects are not followed "
        "(each request is one turn): set the base URL to the address that answers"
    )


@pytest.mark.parametrize(
    ("usage", "shown"),
    [(("12", 3), '"12"'), ((-5, 3), "-5"), ((7, True), "true"), ((7, 2.5), "2.5")],
)
def test_usage_that_is_not_a_count_of_tokens_is_malformed(fake_llm, vendor, usage, shown):
    # Usage figures go into the metrics' totals: a string or a negative number must never
    # reach them (nor turn into a Python message about adding an int and a str).
    fake_llm.reply("fine", usage=usage)
    with pytest.raises(ProviderError) as caught:
        provider_for(vendor, base_url(vendor, fake_llm)).complete(REQUEST)
    assert caught.value.reason == "malformed"
    assert "must be a whole number of tokens" in caught.value.detail
    assert caught.value.detail.endswith(f"got {shown}")


def test_missing_key_fails_before_any_request(fake_llm, vendor):
    provider = provider_for(vendor, base_url(vendor, fake_llm), api_key=None)
    with pytest.raises(ProviderError) as caught:
        provider.complete(REQUEST)
    assert caught.value.reason == "auth"
    env = f"{vendor.upper()}_API_KEY"
    assert f"no API key: set {env} or the {vendor}_api_key setting" in caught.value.message
    assert fake_llm.received == []


@pytest.mark.parametrize("vendor", ["openai", "ollama", "anthropic"])
def test_the_timeout_bounds_the_whole_request_not_each_read(fake_llm, vendor):
    # A body drip-fed one byte at a time never trips a per-read timeout: it used to run
    # for over a minute under a 1 s timeout.
    fake_llm.reply("a long answer, slowly", drip=0.05)
    url = base_url("anthropic" if vendor == "anthropic" else "openai", fake_llm)
    provider = provider_for(vendor, url, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        provider.complete(REQUEST)
    assert time.monotonic() - started < 3
    assert caught.value.reason == "timeout"
    assert "no answer within 0.5 s" in caught.value.message
    assert len(fake_llm.received) == 1
    assert wait_until(lambda: not request_threads()), request_threads()


def test_a_request_given_up_on_is_shut_at_once(fake_llm):
    # Bytes 1.5 s apart, under 2 s: the deadline passes between two bytes, and the
    # request's thread, woken by its connection being shut, does not wait for the next.
    fake_llm.reply("a long answer, slowly", drip=1.5)
    provider = provider_for("openai", fake_llm.openai_url, timeout=2)
    with pytest.raises(ProviderError) as caught:
        provider.complete(REQUEST)
    assert caught.value.reason == "timeout"
    assert wait_until(lambda: not request_threads(), patience=0.9), request_threads()


def request_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(REQUEST_THREAD_PREFIX)]


def wait_until(condition, patience: float = 5.0) -> bool:
    deadline = time.monotonic() + patience
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
