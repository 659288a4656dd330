"""What to change when a resource runs out.

Every limit a task or a run can exhaust is the value of one setting, and the setting's
entry in `SETTINGS` names every way to give it: the task option, the configuration key
and the command-line flag. So one table maps each resource to its setting, and the advice
an exhaustion error ends with is derived from it, never spelled out twice.
"""

from __future__ import annotations

from interpreter.errors import Resource
from interpreter.limits.settings import SETTINGS

# Each resource, and the setting whose value is its limit.
LIMIT_SETTINGS: dict[Resource, str] = {
    "turns": "max_turns",
    "context": "context_fraction",
    "output-tokens": "max_output_tokens",
    "cost": "max_cost",
    "time": "max_task_seconds",
    "budget-turns": "budget_turns",
    "budget-tokens": "budget_tokens",
    "budget-billed-tokens": "budget_billed_tokens",
    "budget-cost": "budget_cost",
}

# What else raises a limit than a larger value of its setting.
_ALSO = {
    "context": "; a model with a larger input window (#:model) also raises it",
}


def recovery(resource: Resource) -> str:
    """The sentence that says how to raise `resource`'s limit, at each level it can be
    set: the task option (on the task, or on a call up to the task's own limit), the key
    of taskscheme.toml and the command-line flag."""
    setting = SETTINGS[LIMIT_SETTINGS[resource]]
    ways = [f"#:{setting.task_option} on the task or this call"] if setting.task_option else []
    ways.append(f"{setting.name} in taskscheme.toml")
    if setting.flag:
        ways.append(setting.flag)
    listed = ", ".join(ways[:-1]) + f" or {ways[-1]}" if len(ways) > 1 else ways[0]
    return f"Raise it with {listed}{_ALSO.get(resource, '')}."
