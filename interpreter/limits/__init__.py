"""Accounting, with no Scheme in it: the settings table, the model registry, token
counting, messages, metrics, events, the per-task Handler and the run Budget."""
