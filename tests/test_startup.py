"""Start-up: `taskscheme eval` loads only what evaluating needs.

The reader's parser is generated from the grammar on first use into the user's cache
(lang/parser_cache.py), so after the first run Lark is not imported; the tokenizer, the model SDKs and the TOML parser wait until a task
runs or a configuration file exists; the provider modules, the accounting's messages and
metrics wait for a task, and SQLite for a memory store. How fast start-up is, is measured in benchmarks/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    "ray",
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
    "interpreter.engine.ray",  # parallel-map on Ray, and every module of it
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
    _eval_then("0", tmp_path)  # the parser is in the cache from now on
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


def _eval(cache: Path, **env: str) -> str:
    """What `taskscheme eval '(+ 1 2)'` prints with XDG_CACHE_HOME set to `cache`."""
    environ = {**os.environ, "XDG_CACHE_HOME": str(cache), **env}
    command = [sys.executable, "-m", "interpreter", "eval", "(+ 1 2)"]
    return subprocess.run(command, env=environ, capture_output=True, text=True).stdout


def _cached(cache: Path) -> list[Path]:
    return sorted((cache / "taskscheme").glob("*"))


def test_the_parser_is_built_once_into_the_cache(tmp_path):
    assert _eval(tmp_path) == "3\n"
    (parser,) = [path for path in _cached(tmp_path) if path.suffix == ".py"]
    assert parser.name.startswith("reader-parser-")
    built = parser.stat().st_mtime_ns
    assert _eval(tmp_path) == "3\n"
    assert parser.stat().st_mtime_ns == built
    assert not list(tmp_path.rglob("*.tmp"))


def test_without_xdg_cache_home_the_cache_is_in_the_home_directory(tmp_path):
    environ = {k: v for k, v in os.environ.items() if k != "XDG_CACHE_HOME"}
    command = [sys.executable, "-m", "interpreter", "eval", "(+ 1 2)"]
    environ["HOME"] = str(tmp_path)
    result = subprocess.run(command, env=environ, capture_output=True, text=True)
    assert result.stdout == "3\n"
    assert list((tmp_path / ".cache" / "taskscheme").glob("reader-parser-*.py"))


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the cache directory would be")
    assert _eval(blocked) == "3\n"
    assert _eval(blocked) == "3\n"
    assert sorted(tmp_path.iterdir()) == [blocked]


def test_a_damaged_cache_file_is_built_again(tmp_path):
    assert _eval(tmp_path) == "3\n"
    (parser,) = [path for path in _cached(tmp_path) if path.suffix == ".py"]
    parser.write_text("def Lark_StandAlone(: this is not the parser\n")
    assert _eval(tmp_path) == "3\n"
    assert "def Lark_StandAlone" in parser.read_text()
    assert _eval(tmp_path) == "3\n"


def test_processes_that_build_the_cache_at_once_each_read(tmp_path):
    environ = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "interpreter", "eval", "(+ 1 2)"]
    children = [
        subprocess.Popen(command, env=environ, stdout=subprocess.PIPE, text=True) for _ in range(4)
    ]
    assert [child.communicate()[0] for child in children] == ["3\n"] * 4
    assert len([path for path in _cached(tmp_path) if path.suffix == ".py"]) == 1
    assert not list(tmp_path.rglob("*.tmp"))


def test_an_interrupt_while_the_parser_loads_reaches_the_caller_as_itself():
    """Ctrl-C during the first read (while the parser module loads) is an interrupt, not
    an error about the parser's own exception classes, which are not loaded yet."""
    code = (
        "import interpreter.lang.reader as reader\n"
        "def interrupted():\n"
        "    raise KeyboardInterrupt\n"
        "reader.load_parser_module = interrupted\n"
        "try:\n"
        "    reader.read_all('(a)')\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout == "interrupted\n", result.stderr
