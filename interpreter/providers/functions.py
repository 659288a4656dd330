"""A plain function as a model: what an embedder passes when its model client is its own.

`Interpreter(model=answer)` with `answer(messages)` (or `async def answer(messages)`)
returning the text, a `ModelResponse` or a dict `{"text": ..., "tool_calls": [...]}`.
The function stands in for the model the settings name, so its window and encoding are
that model's, and the Handler counts and limits every turn and token as it would.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from interpreter.lang.threads import Outcome, start_thread
from interpreter.limits.messages import Message, ModelRequest
from interpreter.providers.testing import OfflineModel, Scripted

# The event loop of the `eval_async` that runs the program: an async model function runs
# there (where the embedder's clients live), while the program waits on its own thread.
if TYPE_CHECKING:
    import asyncio

HOST_LOOP: ContextVar[asyncio.AbstractEventLoop | None] = ContextVar("host_loop", default=None)

ModelFunction = Callable[[list[Message]], Any]


class FunctionProvider(OfflineModel):
    """Answers each request with `fn(messages)`. An async function runs on the
    embedder's event loop when the program runs under `eval_async`, else on a loop of its
    own; a plain one on a thread of its own. Either way the task waits watching for
    interrupts, so cancelling the program does not wait for the answer (an abandoned
    coroutine is cancelled). Usage is counted locally when the answer does not carry it."""

    def __init__(self, fn: ModelFunction, spec: str) -> None:
        super().__init__(spec, 0.0)
        self.fn = fn

    def _respond(self, request: ModelRequest) -> Scripted:
        messages = list(request.messages)
        loop = HOST_LOOP.get()
        if loop is not None and loop.is_running() and inspect.iscoroutinefunction(self.fn):
            import asyncio  # only an async model function needs the event loop (start-up)
            import concurrent.futures  # waits on the loop's future (start-up)

            future = asyncio.run_coroutine_threadsafe(self.fn(messages), loop)
            return _waiting(
                lambda seconds: bool(concurrent.futures.wait([future], seconds).done),
                future.result,
                future.cancel,
            )
        outcome = Outcome(lambda: _answer(self.fn, messages))
        start_thread(
            threading.Thread(target=outcome, name="taskscheme-model-function", daemon=True)
        )
        return _waiting(outcome.done.wait, outcome.result, lambda: None)


_POLL_SECONDS = 0.05


def _waiting(
    ready_within: Callable[[float], bool], result: Callable[[], Any], cancel: Callable[[], Any]
) -> Any:
    """`result()` once `ready_within` says so; an interrupt while waiting calls `cancel`
    (a coroutine can be cancelled; a thread is left to end by itself, unheard)."""
    try:
        while not ready_within(_POLL_SECONDS):
            pass
    except BaseException:
        cancel()
        raise
    return result()


def _answer(fn: ModelFunction, messages: list[Message]) -> Any:
    answer = fn(messages)
    if inspect.isawaitable(answer):
        import asyncio  # only an async model function needs an event loop (start-up)

        return asyncio.run(_awaited(answer))
    return answer


async def _awaited(awaitable: Any) -> Any:
    return await awaitable
