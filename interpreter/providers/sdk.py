"""What the HTTP providers share: loading an optional SDK, the client, the error mapping.

The OpenAI and Anthropic SDKs have the same exception hierarchy and the same client
options, so one base class holds everything but the wire mapping, which each provider
module supplies as `_make_client`, `_send` and `_parse`.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import os
import threading
from types import ModuleType
from typing import Any

from interpreter.errors import ProviderConfigError, ProviderError, Reason, abbreviate
from interpreter.limits.messages import ModelRequest, ModelResponse
from interpreter.providers.base import ProviderOptions


def require_sdk(module: str) -> None:
    """Say which extra installs a missing SDK (the extra has its name), without importing
    it: an SDK takes about half a second to import, paid at the first request instead."""
    if importlib.util.find_spec(module) is None:
        raise ProviderConfigError(
            f"the {module} SDK is not installed; install it with: pip install 'taskscheme[{module}]'"
        )


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
    """A provider backed by a vendor SDK: no retries, a fixed timeout, a lazily built
    client (built once, under a lock; SDK clients are thread-safe), and every failure
    turned into a `ProviderError`.

    Subclasses set the class attributes and implement the three wire methods.
    """

    name: str
    sdk_module: str
    key_env: str | None
    base_url_env: str | None
    default_base_url: str
    default_api_key: str | None = None

    def __init__(self, model: str, options: ProviderOptions) -> None:
        self.model = model
        self.spec = f"{self.name}:{model}"
        self.options = options
        require_sdk(self.sdk_module)
        env_url = os.environ.get(self.base_url_env) if self.base_url_env else None
        self.base_url = options.base_url or env_url or self.default_base_url
        self._client: Any = None
        self._lock = threading.Lock()

    @functools.cached_property
    def _sdk(self) -> ModuleType:
        return importlib.import_module(self.sdk_module)

    def complete(self, request: ModelRequest) -> ModelResponse:
        client = self._get_client(request)
        try:
            raw = self._send(client, request)
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

    def _get_client(self, request: ModelRequest) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._make_client(self._api_key(request))
            return self._client

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
            return self.error("timeout", f"no answer within {self.options.timeout:g} s", request)
        if isinstance(exc, sdk.APIConnectionError):
            return self.error("connection", str(exc.__cause__ or exc), request)
        if isinstance(exc, sdk.APIStatusError):
            status = exc.status_code
            if 300 <= status < 400:
                return self.error("bad-request", _redirect_detail(exc.response), request, status)
            detail = server_message(exc.body) or exc.message
            return self.error(reason_for_status(status), detail, request, status)
        return self.error("malformed", str(exc), request)

    def _http_client(self) -> Any:
        """The SDK's own HTTP client, but not following redirects: every HTTP request
        must be the one turn the Handler counted."""
        return self._sdk.DefaultHttpxClient(follow_redirects=False)

    def _make_client(self, api_key: str) -> Any:
        raise NotImplementedError

    def _send(self, client: Any, request: ModelRequest) -> Any:
        raise NotImplementedError

    def _parse(self, raw: Any) -> ModelResponse:
        """The response as a `ModelResponse`; raises ValueError for a body that does not
        have the expected shape."""
        raise NotImplementedError
