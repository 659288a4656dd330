"""The Scheme core, in pipeline order: reader (text to datums with spans), expand
(derived forms and macros), analyze (forms to closures, once), runtime and control
(procedures, tail calls, escapes, exceptions), printer, primitives and the standard
library. It knows nothing of tasks, limits, providers or memory: those layers register
their forms and procedures into it (registry.py)."""
