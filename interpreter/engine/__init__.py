"""Putting a run together: the Interpreter, the Session that turns settings into a
budget, events and a trace, deep-stack threads and interrupts. Every front end (the
command line, the REPL, embedders) builds its run here, so the same settings behave
the same everywhere."""
