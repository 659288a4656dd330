"""The Python examples in docs/embedding.md and README.md run, and their assertions hold."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "embedding.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_embedding_guide_examples_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no project config file leaks into the examples
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    blocks = python_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    namespace: dict = {}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"{DOC.name} block {number}", "exec"), namespace)
    assert '"turns"' in capsys.readouterr().out


def test_readme_embedding_example_prints_what_it_says(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (block,) = python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    exec(compile(block, "README.md", "exec"), {})
    label, turns = capsys.readouterr().out.splitlines()
    assert label == "billing"
    assert "'used': 1" in turns


def test_readme_tour_programs_run_against_a_test_model(tmp_path, monkeypatch, capsys):
    """The tour's two Scheme blocks, in order: a JSON task, then a context limit caught by guard."""
    from interpreter import FunctionModel, Interpreter

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = re.findall(r"^```scheme\n(.*?)^```", text, flags=re.S | re.M)
    interp = Interpreter(
        model=FunctionModel(lambda request: '{"label": "billing"}', spec="openai:gpt-4o-mini")
    )
    interp.eval(tour[0])
    first = capsys.readouterr().out
    assert first.startswith("billing")
    interp.eval(tour[1])
    assert capsys.readouterr().out.startswith("context")
