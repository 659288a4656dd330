"""The `taskscheme` command."""

from interpreter.cli.main import main

__all__ = ["main"]
