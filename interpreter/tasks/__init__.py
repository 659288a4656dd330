"""The task language: define-task, define-tool, llm, working memory, parallel-map and
the metrics procedures, registered into the language (language.py), and the runner that
gives every task call its own Handler and talks to a provider."""
