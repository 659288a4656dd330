"""The host's limits on one run or eval: `max_steps` (fuel) and `max_seconds` (a
wall-clock deadline), turned into their errors where the evaluation began.

How a step is counted and why the program cannot catch either limit: lang/meter.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from interpreter.errors import StepLimitError, TimeLimitError
from interpreter.lang.meter import Meter, OutOfSteps, OutOfTime
from interpreter.lang.threads import Interrupt


class ComputationLimits:
    """One Interpreter's step and time limits (None: no limit). Each outermost
    evaluation starts with all its steps and its own deadline; evaluations inside it
    (`load`, a host callback calling back in) share them."""

    def __init__(
        self, max_steps: int | None, max_seconds: float | None, interrupts: Interrupt
    ) -> None:
        self.max_steps = max_steps
        self.max_seconds = max_seconds
        self.interrupts = interrupts
        self.meter = Meter() if max_steps is not None else None
        self._depth = 0
        self._lock = threading.Lock()

    @contextmanager
    def applied(self) -> Iterator[None]:
        """The block is (part of) one evaluation under these limits."""
        if self.meter is None and self.max_seconds is None:
            yield
            return
        with self._lock:
            outermost = self._depth == 0
            self._depth += 1
        deadline = None
        if outermost:
            if self.meter is not None:
                self.meter.left = self.max_steps
            if self.max_seconds is not None:
                deadline = threading.Timer(
                    self.max_seconds, self.interrupts.interrupt, (OutOfTime,)
                )
                deadline.daemon = True
                deadline.start()
        try:
            yield
        except (OutOfSteps, OutOfTime) as stop:
            if not outermost:
                raise  # still no language error: the program around this one cannot catch it
            raise self._error(stop) from None
        finally:
            if deadline is not None:
                deadline.cancel()
            with self._lock:
                self._depth -= 1

    def _error(self, stop: BaseException) -> StepLimitError | TimeLimitError:
        if isinstance(stop, OutOfSteps):
            error = StepLimitError(
                f"the program took more than max_steps ({self.max_steps:,}) steps "
                "(procedure calls and loop turns); raise it with --max-steps or in "
                "taskscheme.toml"
            )
            error.limit = self.max_steps
            return error
        error = TimeLimitError(
            f"the program ran longer than max_seconds ({self.max_seconds:g} s); "
            "raise it with --max-seconds or in taskscheme.toml"
        )
        error.limit = self.max_seconds
        return error
