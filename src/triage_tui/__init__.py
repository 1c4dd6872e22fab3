"""triage-tui: the one-hour backlog categorization workshop in a terminal."""

__version__ = "0.1.0"
