"""Start-up: `taskscheme eval` loads only what evaluating needs.

The reader's parser is generated ahead of time from the grammar (lang/make_parser.py), so
Lark is not imported; the tokenizer, the model SDKs and the TOML parser wait until a task
runs or a configuration file exists; the provider modules, the accounting's messages and
metrics wait for a task, and SQLite for a memory store. How fast start-up is, is measured in benchmarks/.
"""

from __future__ import annotations

import json
import subprocess
import sys

from interpreter.lang import make_parser

HEAVY = (
    "lark",
    "regex",
    "tiktoken",
    "openai",
    "anthropic",
    "httpx",
    "tomllib",
    "logging",
    "sqlite3",
    "ssl",
    "socket",
)
# our own modules that only a task, a model provider, long-term memory or the memory
# command needs
HEAVY_OWN = (
    "interpreter.memory.store",
    "interpreter.memory.files",
    "interpreter.providers.options",
    "interpreter.providers.sdk",
    "interpreter.providers.openai",
    "interpreter.providers.anthropic",
    "interpreter.providers.replay",
    "interpreter.providers.script",
    "interpreter.providers.functions",
    "interpreter.providers.testing",
    "interpreter.limits.messages",
    "interpreter.limits.metrics",
    "interpreter.limits.events",
    "interpreter.tasks.executors",
)

# `taskscheme eval '(+ 1 2)'` in a fresh process, then `report` printed on a line of its own
EVAL_THEN = """
import gc, json, sys
from interpreter.cli.main import main
sys.argv = ["taskscheme", "eval", "(+ 1 2)"]
try:
    main()
except SystemExit:
    pass
print()
print({report})
"""


def _eval_then(report: str, cwd) -> tuple[str, str]:
    """(what eval printed, what `report` printed)."""
    program = EVAL_THEN.format(report=report)
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=cwd
    )
    printed, reported = result.stdout.rsplit("\n", 2)[:2]
    return printed, reported


def test_eval_imports_none_of_the_heavy_modules(tmp_path):
    printed, modules = _eval_then("json.dumps(sorted(sys.modules))", tmp_path)
    assert printed.strip() == "3"
    loaded = set(json.loads(modules))
    packages = {name.partition(".")[0] for name in loaded}
    assert not packages & set(HEAVY), sorted(packages & set(HEAVY))
    assert not loaded & set(HEAVY_OWN), sorted(loaded & set(HEAVY_OWN))


def test_eval_freezes_what_it_loaded_so_no_collection_walks_it_again(tmp_path):
    """The modules and the Interpreter live until the command exits: walking them in
    each full collection, and in the one at exit, would cost a tenth of start-up."""
    printed, counts = _eval_then("gc.get_freeze_count(), len(gc.get_objects())", tmp_path)
    assert printed.strip() == "3"
    frozen, tracked = map(int, counts.split())
    assert frozen > 5 * tracked, (frozen, tracked)


def test_the_generated_parser_is_made_from_the_grammar_as_it_is():
    grammar = make_parser.GRAMMAR.read_text(encoding="utf-8")
    generated = make_parser.OUTPUT.read_text(encoding="utf-8")
    digest = f"# grammar sha256: {make_parser.grammar_digest(grammar)}\n"
    assert digest in generated, "grammar.lark changed: run python -m interpreter.lang.make_parser"
