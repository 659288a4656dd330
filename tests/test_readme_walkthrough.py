"""The README's "Write your first task program" walk-through is true: its program and
script are the files in examples/, and each of its commands, run in order in a fresh
directory, prints exactly what the README shows (standard output and standard error as
one stream; `; echo $?` adds the exit code, as a shell would)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Write your first task program"
PROGRAM = ROOT / "examples" / "first-task.scm"
SCRIPT = ROOT / "examples" / "first-task-failure.toml"
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_ECHO_STATUS = "; echo $?"


def walkthrough_blocks() -> list[tuple[str, str]]:
    """The fenced blocks of the section, as (language, text)."""
    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    start = readme.index(SECTION)
    end = readme.index("\n## ", start + len(SECTION))
    return _BLOCK.findall(readme[start:end])


def test_the_walkthrough_shows_the_example_files_as_they_are():
    blocks = walkthrough_blocks()
    assert [text for kind, text in blocks if kind == "scheme"] == [PROGRAM.read_text()]
    assert [text for kind, text in blocks if kind == "toml"] == [SCRIPT.read_text()]


def test_the_walkthrough_commands_print_what_the_readme_shows(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "XDG_CONFIG_HOME": str(tmp_path / "no-user-config"),
    }
    sessions = [text for kind, text in walkthrough_blocks() if kind == "console"]
    assert len(sessions) == 4
    for session in sessions:
        shown = session.splitlines()
        commands = [i for i, line in enumerate(shown) if line.startswith("$ ")]
        for start, end in zip(commands, [*commands[1:], len(shown)], strict=True):
            command = shown[start].removeprefix("$ ")
            words = shlex.split(command.removesuffix(_ECHO_STATUS))
            assert words[0] == "taskscheme"
            result = subprocess.run(
                [sys.executable, "-m", "interpreter", *words[1:]],
                cwd=tmp_path,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=60,
            )
            printed = result.stdout.splitlines()
            if command.endswith(_ECHO_STATUS):
                printed.append(str(result.returncode))
            else:
                assert result.returncode == 0, result.stdout
            assert printed == shown[start + 1 : end], command
