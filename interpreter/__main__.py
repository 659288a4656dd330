"""`python -m interpreter` is the `taskscheme` command."""

import sys

from interpreter.cli.main import main

sys.exit(main())
