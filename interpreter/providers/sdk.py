"""What the HTTP providers share: loading an optional SDK, the client, the deadline, the
error mapping.

The OpenAI and Anthropic SDKs have the same exception hierarchy and the same client
options, so one base class holds everything but the wire mapping, which each provider
module supplies as `_send` and `_parse` (and the SDK's client class, `client_class`).

The SDKs' timeout bounds each read, so an answer drip-fed a byte at a time never trips
it. The `timeout` setting bounds the whole request instead: the request runs on a
thread of its own and the task's thread waits for it until the deadline, watching for
interrupts meanwhile; a request given up on has its connection shut, so its thread
ends at once and nothing it received is used.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import socket
import ssl
import threading
import time
from types import ModuleType
from typing import Any

from interpreter.errors import ProviderError, Reason, abbreviate
from interpreter.lang.threads import Outcome, start_thread
from interpreter.limits.messages import ModelRequest, ModelResponse
from interpreter.providers.base import ProviderOptions
from interpreter.providers.extras import SDK_MODULES, require_sdk

# The HTTP library both SDKs are built on.
HTTP_LIBRARY = "httpx2"
# The threads that carry requests: the task thread waits on one up to the deadline.
REQUEST_THREAD_PREFIX = "taskscheme-request"
# How often a waiting task thread wakes up, so an interrupt delivered to it is seen.
_POLL_SECONDS = 0.05


def reason_for_status(status: int) -> Reason:
    if status in (401, 403):
        return "auth"
    if status == 408:
        return "timeout"
    if status == 429:
        return "rate-limit"
    if status >= 500:
        return "server"
    return "bad-request"


def server_message(body: object) -> str | None:
    """The human message inside an API error body, in either vendor's shape:
    {"error": {"message": ...}} or, as the OpenAI SDK hands it over, {"message": ...}."""
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict):
            body = inner
        message = body.get("message")
        if isinstance(message, str) and message:
            return message
    return None


def _redirect_detail(response: Any) -> str:
    location = response.headers.get("location") or "another address"
    return (
        f"the server redirects to {location}; redirects are not followed (each request "
        "is one turn): set the base URL to the address that answers"
    )


class SdkProvider:
    """A provider backed by a vendor SDK: no retries, a deadline for the whole request,
    a client and connection of its own for each request (so one given up on can be shut
    without disturbing the others), and every failure turned into a `ProviderError`.

    Subclasses set the class attributes and implement the three wire methods.
    """

    name: str  # also names its SDK, in SDK_MODULES
    client_class: str  # the SDK's client, an attribute of its module
    key_env: str | None
    base_url_env: str | None
    default_base_url: str
    default_api_key: str | None = None

    def __init__(self, model: str, options: ProviderOptions) -> None:
        self.model = model
        self.spec = f"{self.name}:{model}"
        self.options = options
        require_sdk(self.name)
        env_url = os.environ.get(self.base_url_env) if self.base_url_env else None
        self.base_url = options.base_url or env_url or self.default_base_url

    @functools.cached_property
    def _sdk(self) -> ModuleType:
        return importlib.import_module(SDK_MODULES[self.name])

    @functools.cached_property
    def _ssl_context(self) -> Any:
        """Made once, at the first request: loading the certificate store costs far more
        than a request's client (made with the SDK's own HTTP library, so certificates
        are found as it finds them)."""
        return importlib.import_module(HTTP_LIBRARY).create_ssl_context()

    def complete(self, request: ModelRequest) -> ModelResponse:
        in_flight = _InFlight(self._sdk, self._ssl_context)
        client = self._make_client(self._api_key(request), in_flight.http_client)
        try:
            raw = in_flight.run(lambda: self._send(client, request), self.options.timeout)
        except _DeadlinePassed:
            raise self._timeout(request) from None
        except self._sdk.APIError as exc:
            raise self._map_error(exc, request) from exc
        except json.JSONDecodeError as exc:
            raise self.error("malformed", f"body is not JSON ({exc})", request) from exc
        if isinstance(raw, str):  # the SDK hands over bodies it could not read as JSON
            raise self.error("malformed", f"body is not JSON: {abbreviate(raw)!r}", request)
        try:
            return self._parse(raw)
        except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
            raise self.error("malformed", str(exc), request) from exc

    def error(
        self, reason: Reason, detail: str, request: ModelRequest, status: int | None = None
    ) -> ProviderError:
        return ProviderError(
            self.name, reason, detail, request=request, status=status, where=self.base_url
        )

    def _api_key(self, request: ModelRequest) -> str:
        key = self.options.api_key
        if not key and self.key_env:
            key = os.environ.get(self.key_env)
        key = key or self.default_api_key
        if not key:
            setting = f"{self.name}_api_key"
            raise self.error(
                "auth",
                f"no API key: set {self.key_env} or the {setting} setting "
                f"(TASKSCHEME_{setting.upper()})",
                request,
            )
        return key

    def _map_error(self, exc: Exception, request: ModelRequest) -> ProviderError:
        sdk = self._sdk
        if isinstance(exc, sdk.APITimeoutError):
            return self._timeout(request)
        if isinstance(exc, sdk.APIConnectionError):
            return self.error("connection", str(exc.__cause__ or exc), request)
        if isinstance(exc, sdk.APIStatusError):
            status = exc.status_code
            if 300 <= status < 400:
                return self.error("bad-request", _redirect_detail(exc.response), request, status)
            detail = server_message(exc.body) or exc.message
            return self.error(reason_for_status(status), detail, request, status)
        return self.error("malformed", str(exc), request)

    def _timeout(self, request: ModelRequest) -> ProviderError:
        return self.error("timeout", f"no answer within {self.options.timeout:g} s", request)

    def _make_client(self, api_key: str, http_client: Any) -> Any:
        """The SDK client for one request, sending it through `http_client`, with no
        retries of its own."""
        return getattr(self._sdk, self.client_class)(
            api_key=api_key,
            base_url=self.base_url,
            timeout=self.options.timeout,
            max_retries=0,
            http_client=http_client,
        )

    def _send(self, client: Any, request: ModelRequest) -> Any:
        raise NotImplementedError

    def _parse(self, raw: Any) -> ModelResponse:
        """The response as a `ModelResponse`; raises ValueError for a body that does not
        have the expected shape."""
        raise NotImplementedError


class _DeadlinePassed(Exception):
    """The request had no answer by its deadline."""


class _InFlight:
    """One request, on a thread of its own, through an HTTP client of its own.

    The HTTP client follows no redirects (every HTTP request must be the one turn the
    Handler counted) and notes the connections it opens, so that a request given up on
    can have its socket shut: that wakes its thread from a read at once, where closing
    alone would leave it blocked until the next byte or the per-read timeout."""

    def __init__(self, sdk: ModuleType, ssl_context: ssl.SSLContext) -> None:
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.http_client = sdk.DefaultHttpxClient(
            verify=ssl_context,
            follow_redirects=False,
            event_hooks={"request": [self._trace_connections]},
        )

    def run(self, send: Any, seconds: float) -> Any:
        """What `send()` returns (or raises), if it finishes within `seconds`; otherwise
        _DeadlinePassed. An interrupt while waiting propagates; either way the request is
        shut and its thread ends."""
        outcome = Outcome(send)
        start_thread(threading.Thread(target=outcome, name=REQUEST_THREAD_PREFIX, daemon=True))
        deadline = time.monotonic() + seconds
        try:
            while not outcome.done.wait(_POLL_SECONDS):
                if time.monotonic() >= deadline:
                    raise _DeadlinePassed
        finally:
            if not outcome.done.is_set():
                self._shut()
            self.http_client.close()
        return outcome.result()

    def _trace_connections(self, request: Any) -> None:
        request.extensions["trace"] = self._note_connection

    def _note_connection(self, event: str, info: dict[str, Any]) -> None:
        # a TLS connection replaces the plain one: the socket in use is the last noted
        if event.endswith((".connect_tcp.complete", ".start_tls.complete")):
            sock = info["return_value"].get_extra_info("socket")
            if sock is not None:
                with self._lock:
                    self._sockets.append(sock)

    def _shut(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed, or replaced by its TLS wrapper
