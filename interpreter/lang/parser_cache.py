"""The reader's LALR parser, built from `grammar.lark` on first use and kept in the
user's cache directory.

Lark's stand-alone generator writes the parser's tables and the small runtime that runs
them as one module. Loading that module (its byte code cached by Python beside it) takes
a few milliseconds; importing Lark itself to load its own cache would add some 30 ms to
every start-up. So the first run imports Lark, generates the module and writes it to
`$XDG_CACHE_HOME/taskscheme/` (by default `~/.cache/taskscheme/`) under a name keyed by
the grammar and the installed Lark (its version is in the file hashed), atomically: a
temporary file renamed into place, so processes that race each leave a whole file. A
cache that cannot be written, or a file there that does not load, is no error: the
module is generated again and run from memory.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import zlib
from pathlib import Path
from types import ModuleType

GRAMMAR = Path(__file__).resolve().parent / "grammar.lark"
# The generated module's name; it is in sys.modules while it runs, as its dataclasses need.
_NAME = "interpreter.lang.generated_parser"

# What the reader never uses but the generated runtime would import at once, each more
# costly than the parser itself: `regex` (for Unicode categories, which the grammar does
# not use), logging (for messages while building tables, which happens in Lark itself)
# and pickle (for Lark's own cache files). A Lark whose output differs is used as it is.
_REPLACEMENTS = [
    (
        "try:\n    import regex\n    _has_regex = True\nexcept ImportError:\n"
        "    _has_regex = False\n",
        "_has_regex = False\n",
    ),
    ("import logging\n", ""),
    (
        'logger: logging.Logger = logging.getLogger("lark")\n'
        "logger.addHandler(logging.StreamHandler())\n",
        "class _Silent:\n"
        "    def __getattr__(self, name):\n"
        "        return lambda *args, **kwargs: None\n\n"
        "logger = _Silent()\n",
    ),
    ("logger.setLevel(logging.CRITICAL)\n", ""),
    ("import pickle, zlib, base64\n", ""),
]


def cache_directory() -> Path:
    """Where taskscheme keeps what it builds once per machine."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "taskscheme"


def cache_path(grammar: str) -> Path:
    """The cached parser for `grammar` and the installed Lark."""
    spec = importlib.util.find_spec("lark")
    lark_init = Path(spec.origin).read_bytes() if spec and spec.origin else b""
    key = zlib.crc32(lark_init, zlib.crc32(grammar.encode("utf-8")))
    return cache_directory() / f"reader-parser-{key:08x}.py"


def load_parser_module() -> ModuleType:
    """The generated parser module: from the cache, else generated (and cached if the
    cache can be written)."""
    grammar = GRAMMAR.read_text(encoding="utf-8")
    path = cache_path(grammar)
    module = _load(path)
    if module is not None:
        return module
    code = generate(grammar)
    _write_atomically(path, code)
    module = _load(path)
    if module is None:
        module = sys.modules[_NAME] = ModuleType(_NAME)
        exec(compile(code, "<generated parser>", "exec"), module.__dict__)
    return module


def generate(grammar: str) -> str:
    """The text of Lark's stand-alone parser module for `grammar`."""
    import io

    from lark import Lark
    from lark.tools.standalone import gen_standalone

    parser = Lark(grammar, parser="lalr", lexer="basic", maybe_placeholders=False)
    out = io.StringIO()
    gen_standalone(parser, out=out)
    code = out.getvalue()
    for old, new in _REPLACEMENTS:
        code = code.replace(old, new)
    return code


def _load(path: Path) -> ModuleType | None:
    """The module in `path`, or None if there is none or it does not load."""
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(_NAME, path)
    module = sys.modules[_NAME] = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:  # a damaged cache file: generate the parser again
        return None
    return module if hasattr(module, "Lark_StandAlone") else None


def _write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` by renaming a whole temporary file into place; nothing if
    the cache directory cannot be written."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
