"""``python -m streamconsole``: the same as the ``streamconsole`` command."""

from streamconsole.cli import entry

entry()
