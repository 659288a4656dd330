"""One object held in a Ray actor and used from every process as if it were local.

The run budget and a replayed cassette must each be one object for the whole run, or
two workers could both spend the last turn, or both use the same recorded answer. The
`Holder` actor keeps the real object; a `RemoteProxy` in each process forwards every
method call and attribute read to it, so a Budget with new dimensions, or a provider,
passes through unchanged. The held object must be thread-safe (a Budget and a
ReplayProvider are): the actor serves calls from many processes at once.

A method may take a *gate*: a callable the real object calls, under its lock, after its
own checks pass and before it commits (Budget.charge takes the Handler's own limit
check). A gate cannot travel, so the caller runs it here first (the Handler holds its
own lock meanwhile, so its answer still holds), and the object runs the call with a gate
that passes. The object's own check and commit are one step in the actor, so its limit
holds exactly, however many processes charge it at once; one round trip per call. When
both the gate and the object would refuse, the gate's refusal is the one reported (on
threads the budget's is): either way nothing is charged.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

from interpreter.engine.ray.values import decode, encode_exception
from interpreter.limits.events import EventBus

_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


class _Gate:
    """Stands for a caller's gate, already passed, in a call that travels."""


def _passed() -> None:
    return None


class Portable:
    """An object's class and fields, without its locks, conditions and event bus, which
    cannot leave the process: the holder makes new ones (a condition over the new lock it
    was made over; `bus` says whether the object's bus had listeners, so it still builds
    the events it hands back)."""

    def __init__(self, target: Any) -> None:
        self.cls = type(target)
        self.fields = {}
        self.locks = {}
        self.conditions: dict[str, str] = {}
        self.buses = {}
        lock_names = {id(value): name for name, value in vars(target).items()}
        for name, value in vars(target).items():
            if isinstance(value, _LOCK_TYPES):
                self.locks[name] = type(value) is type(threading.RLock())
            elif isinstance(value, threading.Condition):
                self.conditions[name] = lock_names[id(value._lock)]
            elif isinstance(value, EventBus):
                self.buses[name] = value.active
            else:
                self.fields[name] = value

    def rebuilt(self) -> Any:
        target = self.cls.__new__(self.cls)
        vars(target).update(self.fields)
        for name, reentrant in self.locks.items():
            setattr(target, name, threading.RLock() if reentrant else threading.Lock())
        for name, lock_name in self.conditions.items():
            setattr(target, name, threading.Condition(getattr(target, lock_name)))
        for name, listened in self.buses.items():
            bus = EventBus()
            if listened:
                bus.subscribe(_passed)
            setattr(target, name, bus)
        return target


class Holder:
    """The actor side: holds the object (made from a `Portable`, or built in the actor
    by calling `make`, so that a cassette is read where it is used)."""

    def __init__(self, target: Portable | Any, *args: Any) -> None:
        self.target = target.rebuilt() if isinstance(target, Portable) else target(*args)

    def methods(self) -> frozenset[str]:
        return frozenset(
            name for name in dir(self.target) if callable(getattr(self.target, name, None))
        )

    def call(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        args = tuple(_passed if isinstance(a, _Gate) else a for a in args)
        kwargs = {k: _passed if isinstance(v, _Gate) else v for k, v in kwargs.items()}
        try:
            return ("returned", getattr(self.target, method)(*args, **kwargs))
        except Exception as error:
            return ("raised", encode_exception(error))

    def get(self, name: str) -> Any:
        try:
            return ("returned", getattr(self.target, name))
        except AttributeError as error:
            return ("raised", encode_exception(error))


class RemoteProxy:
    """The object held by `actor`, used as if it were here. Attributes set on the proxy
    itself (a Budget's `events`: this process's bus) stay local."""

    def __init__(self, actor: Any, methods: frozenset[str], **local: Any) -> None:
        vars(self).update(local)
        self._actor = actor
        self._methods = methods
        self._ray_holder = (actor, methods)

    def __reduce__(self) -> Any:
        return (RemoteProxy, (self._actor, self._methods))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_actor", "_methods", "_ray_holder"):
            raise AttributeError(name)
        if name in self._methods:
            return partial(self._call, name)
        return _outcome(self._ask(self._actor.get.remote(name)))

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            if callable(value):
                value()  # the gate: it raises if the caller's own check refuses
        args = tuple(_Gate() if callable(a) else a for a in args)
        kwargs = {k: _Gate() if callable(v) else v for k, v in kwargs.items()}
        return _outcome(self._ask(self._actor.call.remote(method, args, kwargs)))

    @staticmethod
    def _ask(reference: Any) -> Any:
        import ray  # an optional dependency: only runs on Ray get here

        return ray.get(reference)


def forward_to(target: Any, proxy: RemoteProxy) -> None:
    """Make `target`, whose state now lives in the actor behind `proxy`, forward its
    public methods there: whoever holds it (the run, a Handler running now) uses the
    actor from then on, with no reference to replace."""
    for name in proxy._methods:
        if not name.startswith("_"):
            setattr(target, name, partial(proxy._call, name))
    target._ray_holder = proxy._ray_holder


def held_by(held: Any) -> tuple[Any, frozenset[str]] | None:
    """The actor and method names behind a proxy or a forwarding object (what another
    process makes its own proxy from), or None for an object still on its own."""
    return getattr(held, "_ray_holder", None)


def _outcome(answer: tuple[Any, ...]) -> Any:
    if answer[0] == "raised":
        raise decode(answer[1])
    return answer[1]
