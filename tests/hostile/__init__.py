"""Hostile inputs and faults: every case must end in a named, typed error, never a traceback
or a hang (issue 7, "prove it fails safely")."""
