"""``python -m streamconsole``: the same as the ``streamconsole`` command."""

import sys

from streamconsole.cli import main

sys.exit(main())
