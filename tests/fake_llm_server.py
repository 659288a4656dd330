"""A local HTTP server that speaks the OpenAI and Anthropic wire formats.

The providers are tested through the real SDKs against this server instead of patching
the SDKs, so what is verified is what would go over the network. Replies are scripted
per test in an API-neutral form (`Reply`) and rendered in the wire format of whichever
endpoint takes them:

    POST /v1/chat/completions   OpenAI chat completions
    POST /v1/messages           Anthropic Messages

Every request body is recorded (`server.received`) so tests can assert what the SDK sent.
When the script is empty, `server.fallback(path, body)` is asked for a reply if set
(handy for recording example cassettes); otherwise the server answers 500.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OPENAI_PATH = "/v1/chat/completions"
ANTHROPIC_PATH = "/v1/messages"


@dataclass
class Reply:
    """One scripted answer. Set `status` >= 400 for an API-shaped error, `raw` to send a
    body verbatim, `delay` to answer late (for timeouts), `drip` to send the body one
    byte every `drip` seconds (each read is quick, the whole answer slow), `headers` to
    add response headers (a redirect's location), `cached_tokens` to report prompt
    tokens served from a prompt cache."""

    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    usage: tuple[Any, Any] = (11, 7)
    status: int = 200
    error: str = ""
    raw: str | None = None
    content_type: str = "application/json"
    delay: float = 0.0
    drip: float = 0.0
    finish_reason: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cached_tokens: int = 0  # of the prompt tokens, served from the prompt cache (OpenAI)


@dataclass
class Received:
    """A request as the server saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeLLMServer:
    """Threaded server on 127.0.0.1, a free port; use as a context manager or call close()."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.received: list[Received] = []
        self.fallback: Callable[[str, dict[str, Any]], Reply] | None = None
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.block_on_close = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """Root URL: the Anthropic SDK's base URL (it appends /v1/messages)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def openai_url(self) -> str:
        """The OpenAI SDK's base URL (it appends /chat/completions)."""
        return self.url + "/v1"

    def reply(self, text: str = "", **fields: Any) -> Reply:
        """Queue a reply; keyword arguments are `Reply` fields."""
        scripted = Reply(text=text, **fields)
        with self._lock:
            self.replies.append(scripted)
        return scripted

    def reply_error(self, status: int, message: str, **fields: Any) -> Reply:
        return self.reply(status=status, error=message, **fields)

    @property
    def last(self) -> Received:
        return self.received[-1]

    def close(self) -> None:
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeLLMServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _take(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        with self._lock:
            self.received.append(Received(path, headers, body))
            if self.replies:
                return self.replies.popleft()
        if self.fallback is not None:
            return self.fallback(path, body)
        return Reply(status=500, error="fake server: no scripted reply left")


def _make_handler(server: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                body = {}
            render = _RENDERERS.get(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = server._take(self.path, headers, body)
            if reply.delay and server._closing.wait(reply.delay):
                return
            if render is None:
                status, payload = 404, json.dumps({"error": {"message": "no such endpoint"}})
            elif reply.raw is not None:
                status, payload = reply.status, reply.raw
            elif reply.status >= 400:
                status, payload = reply.status, json.dumps(render.error(reply))
            else:
                status, payload = 200, json.dumps(render.ok(reply, body))
            data = payload.encode()
            try:
                self.send_response(status)
                self.send_header("content-type", reply.content_type)
                self.send_header("content-length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if reply.drip:
                    self._drip(data, reply.drip)
                else:
                    self.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout test)

        def _drip(self, data: bytes, interval: float) -> None:
            for position in range(len(data)):
                self.wfile.write(data[position : position + 1])
                self.wfile.flush()
                if server._closing.wait(interval):
                    return

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _OpenAIWire:
    @staticmethod
    def ok(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{i}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args)},
                }
                for i, (name, args) in enumerate(reply.tool_calls, 1)
            ]
        finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
        prompt, completion = reply.usage
        # Usage is sent as scripted, even when it is not numbers (to test what is done
        # with a bad one).
        total = prompt + completion if all(type(n) is int for n in reply.usage) else None
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", ""),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": total,
                "prompt_tokens_details": {"cached_tokens": reply.cached_tokens},
            },
        }

    @staticmethod
    def error(reply: Reply) -> dict[str, Any]:
        return {
            "error": {"message": reply.error, "type": "fake_error", "param": None, "code": None}
        }


class _AnthropicWire:
    @staticmethod
    def ok(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        if reply.text:
            content.append({"type": "text", "text": reply.text})
        content.extend(
            {"type": "tool_use", "id": f"toolu_{i}", "name": name, "input": args}
            for i, (name, args) in enumerate(reply.tool_calls, 1)
        )
        finish = reply.finish_reason or ("tool_use" if reply.tool_calls else "end_turn")
        return {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", ""),
            "content": content,
            "stop_reason": finish,
            "stop_sequence": None,
            "usage": {"input_tokens": reply.usage[0], "output_tokens": reply.usage[1]},
        }

    @staticmethod
    def error(reply: Reply) -> dict[str, Any]:
        return {"type": "error", "error": {"type": "fake_error", "message": reply.error}}


_RENDERERS: dict[str, Any] = {OPENAI_PATH: _OpenAIWire, ANTHROPIC_PATH: _AnthropicWire}
