"""Jupyter kernel for the lease language.

The kernel wraps one long-lived ``lease machine`` process per notebook and
talks to it over line-delimited JSON (docs/protocol.md in the repository).
"""

__version__ = "0.1.0"
