"""``python -m assistant``: the command line."""

from assistant.cli import app

app()
