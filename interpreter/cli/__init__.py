"""The `taskscheme` command."""

import gc

# Importing the command allocates thousands of objects and frees none, so a collection
# during the import finds nothing to free: skipping them shortens start-up.
gc.disable()
try:
    from interpreter.cli.main import main
finally:
    gc.enable()

__all__ = ["main"]
