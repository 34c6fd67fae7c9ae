"""Names a hostile server could send, as test data for both emulators (``hostile_state``).

Each one carries what would drive the operator's terminal if it were printed raw: an OSC 52
sequence that sets the clipboard, an SGR colour, a C1 CSI, the right-to-left override of
"Trojan Source", a bare carriage return, and Rich markup. The servers take such names: Ant
Media stream ids and names, THEOlive channel and alias names and ids are free text.
"""

from __future__ import annotations

CLIPBOARD = "\x1b]52;c;aGk=\x07"  # OSC 52, BEL-terminated: the clipboard becomes "hi"
RED = "\x1b[31m"  # SGR 31; in every name it is followed by the word "red"
C1_CSI = "\x9b7m"  # the 8-bit CSI (reverse video) that some terminals take from UTF-8
RLO = "\u202e"  # right-to-left override: what follows reads backwards
CR = "\r"  # back to the start of the line: what follows overwrites what came before
MARKUP = "[bold red]markup[/]"

CONTROLS = f"{CLIPBOARD}{RED}red{C1_CSI}{RLO}{CR}"


def hostile(base: str) -> str:
    """``base`` with every payload: for labels and key names, and for names the client
    must refuse (it never puts a control character into a URL)."""
    return f"{base}{CONTROLS}{MARKUP}"


def hostile_segment(base: str) -> str:
    """``base`` with the payloads a name keeps as a URL path segment: the bidi override (a
    format character, not a control character) and markup, without its "/" (a server
    cannot name anything with one there). For the names the client sends back: Ant Media
    applications and streams, THEOlive channels, aliases and keys."""
    return f"{base}{RLO}[bold red]markup"
