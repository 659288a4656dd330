"""Analysis: forms become closures, once ("analyze, then run").

`LANGUAGE_FORMS` is the language with no layer above it: the core special forms and the
derived forms. Layers above add their own registries when they build an Analyzer.
"""

from interpreter.lang.analyze.analyzer import Analyzer, Node, Scope
from interpreter.lang.analyze.forms import CORE_FORMS
from interpreter.lang.expand import DERIVED_FORMS

LANGUAGE_FORMS = (CORE_FORMS, DERIVED_FORMS)

__all__ = ["LANGUAGE_FORMS", "Analyzer", "Node", "Scope"]
