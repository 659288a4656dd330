"""Expansion: derived forms and `syntax-rules` macros, rewritten to core forms.

common.py holds the registry every derived form enters and the helpers expansions are
built from; derived.py, quasiquote.py and records.py register the derived forms;
syntax_rules.py is the macro expander. Importing this package imports them all, so
`DERIVED_FORMS` is complete.
"""

# Importing these modules registers their derived forms in DERIVED_FORMS.
from interpreter.lang.expand import derived, quasiquote, records  # noqa: F401
from interpreter.lang.expand.common import (
    AUXILIARY,
    DEFINE,
    DERIVED_FORMS,
    LAMBDA,
    QUOTE,
    RECEIVE,
    cells,
    check_length,
    make,
    strip_aliases,
)
from interpreter.lang.expand.derived import FEATURES, expand_named_let
from interpreter.lang.expand.syntax_rules import SyntaxRules

__all__ = [
    "AUXILIARY",
    "DEFINE",
    "DERIVED_FORMS",
    "FEATURES",
    "LAMBDA",
    "QUOTE",
    "RECEIVE",
    "SyntaxRules",
    "cells",
    "check_length",
    "expand_named_let",
    "make",
    "strip_aliases",
]
