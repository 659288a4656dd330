"""`python -m interpreter` is the `taskscheme` command."""

import sys

from .cli import main

sys.exit(main())
