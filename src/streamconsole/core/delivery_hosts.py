"""Where players reach an application: the ``host`` a config gives it, checked, and the
base URL it makes. Apart from :mod:`streamconsole.core.delivery` because loading a config
checks hosts and needs nothing else of that module.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from streamconsole.core.model import ServerKind

# Ant Media serves HTTPS (HLS, the player page, the WebRTC websocket) on this port.
ANTMEDIA_HTTPS_PORT = 5443


def host_url(kind: ServerKind, host: str) -> str:
    """The base URL players reach for ``[applications.X] host = "HOST[:PORT]"``: HTTPS, on
    Ant Media's HTTPS port unless the host names a port."""
    has_port = urlsplit(f"//{host}").port is not None
    if kind is ServerKind.ANTMEDIA and not has_port:
        return f"https://{host}:{ANTMEDIA_HTTPS_PORT}"
    return f"https://{host}"


def host_problem(host: str) -> str:
    """Why ``host`` is not a host name or IP address with an optional port ("" when it is)."""
    try:
        parts = urlsplit(f"//{host}")
        port = parts.port
    except ValueError as error:
        return f"is not a host name: {error}"
    if not host.isascii() or not host.isprintable() or " " in host:
        return "holds a space, a control character or non-ASCII text (write IDN names as xn--)"
    if parts.netloc != host or parts.path or parts.username is not None or not parts.hostname:
        return 'is not a host name with an optional port (e.g. "ams.example.com" or "[::1]:5443")'
    if port == 0:
        return "names port 0"
    return ""
