"""Which files under a directory get indexed, and reading them as text.

In a git work tree git itself says which files count (`git ls-files --cached --others
--exclude-standard`: tracked and untracked, minus what any ignore file excludes).
Elsewhere a small matcher reads the `.gitignore` files on the way down, so a tree
copied out of a checkout is indexed the same way. Binary files, text that is not UTF-8
and files over the size limit are skipped, with the reason, for the indexer to report.
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Bytes looked at for a NUL, the mark of a binary file.
BINARY_PROBE = 8192


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """One line of a .gitignore: a pattern relative to the directory `base`."""

    base: Path
    pattern: re.Pattern[str]
    negated: bool
    directories_only: bool
    anchored: bool

    def matches(self, path: Path, is_dir: bool) -> bool:
        if self.directories_only and not is_dir:
            return False
        try:
            relative = path.relative_to(self.base).as_posix()
        except ValueError:
            return False
        target = relative if self.anchored else path.name
        return self.pattern.fullmatch(target) is not None


def ignore_rules(directory: Path) -> list[IgnoreRule]:
    """The rules of `directory`/.gitignore, in file order (none if it has none)."""
    try:
        lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    rules = []
    for line in lines.splitlines():
        line = line.rstrip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line[1:] if negated else line.removeprefix("\\")
        directories_only = line.endswith("/")
        line = line.rstrip("/")
        anchored = "/" in line
        pattern = _glob_pattern(line.lstrip("/"))
        rules.append(IgnoreRule(directory, pattern, negated, directories_only, anchored))
    return rules


def _glob_pattern(glob: str) -> re.Pattern[str]:
    """A gitignore glob as a regular expression: `*` and `?` stay within a directory,
    `**` crosses them, `[...]` is a class."""
    out, index = [], 0
    while index < len(glob):
        char = glob[index]
        if glob.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if glob.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in glob[index + 1 :]:
            close = glob.index("]", index + 1)
            body = glob[index + 1 : close].replace("\\", "\\\\")
            out.append(f"[{'^' + body[1:] if body.startswith('!') else body}]")
            index = close
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out))


def _ignored(rules: list[IgnoreRule], path: Path, is_dir: bool) -> bool:
    """The last rule that matches decides, as in git."""
    ignored = False
    for rule in rules:
        if rule.matches(path, is_dir):
            ignored = not rule.negated
    return ignored


def walk_ignoring(root: Path) -> Iterator[Path]:
    """The files under `root`, in a stable order, minus what its .gitignore files exclude
    and the `.git` directory."""
    pending: list[tuple[Path, list[IgnoreRule]]] = [(root, [])]
    while pending:
        directory, inherited = pending.pop()
        rules = inherited + ignore_rules(directory)
        try:
            children = sorted(os.scandir(directory), key=lambda entry: entry.name, reverse=True)
        except OSError:
            continue
        for entry in children:
            path = Path(entry.path)
            is_dir = entry.is_dir(follow_symlinks=False)
            if entry.name == ".git" or _ignored(rules, path, is_dir):
                continue
            if is_dir:
                pending.append((path, rules))
            else:
                yield path


def git_files(root: Path) -> list[Path] | None:
    """The files git lists under `root` (tracked, and untracked but not ignored), or None
    when `root` is not in a git work tree or git is not installed."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        inside = subprocess.run(
            [git, "-C", str(root), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            text=True,
            check=False,
        )
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return None
        listed = subprocess.run(
            [git, "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    names = listed.stdout.decode("utf-8", errors="surrogateescape").split("\0")
    return sorted(root / name for name in dict.fromkeys(names) if name)


def files_under(root: Path) -> Iterator[Path]:
    """The files to index under `root` (a directory), as git or the matcher sees them."""
    listed = git_files(root)
    return iter(listed) if listed is not None else walk_ignoring(root)


def read_text(path: Path, max_bytes: int) -> tuple[bytes, str] | str:
    """(the bytes, the text) of `path`, or why it is skipped: not a regular file, larger
    than `max_bytes`, binary, or not UTF-8 text."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if info.st_size > max_bytes:
            return f"larger than {max_bytes:,} bytes"
        data = path.read_bytes()
    except OSError as error:
        return f"cannot be read: {error.strerror}"
    if b"\0" in data[:BINARY_PROBE]:
        return "binary"
    try:
        return data, data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text"
