"""The `taskscheme` command."""

import gc

# Importing the command allocates thousands of objects and frees none, so a collection
# during the import finds nothing to free: skipping them shortens start-up. They live
# until the command exits, so they are frozen: no later collection walks them again.
gc.disable()
try:
    from interpreter.cli.main import main
finally:
    gc.freeze()
    gc.enable()

__all__ = ["main"]
