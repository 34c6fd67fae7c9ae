"""What the remote backends send and what they take from a server's listings, without I/O:
names as URL path segments, and plain HTTP only to this machine (at most ``max_items``
entries in one listing is :class:`.remote.ItemLimit`). The config reader checks names and
URLs by the same rules.

* A name (application, channel, alias, stream, key id) is one percent-encoded path segment
  (``quote(name, safe="")``): ``b#frag`` or ``Decoy/../OtherApp`` stays one segment instead
  of cutting the URL short or climbing out of it. ``.`` and ``..`` cannot be made safe that
  way (they are unreserved characters, and every URL library resolves them as directories,
  httpx included), an empty segment names nothing, and no server names an application
  with a control character on purpose: such names are refused, never sent.
* Plain ``http://`` carries the credentials in clear text: only straight to a literal
  loopback address (``127.0.0.0/8``, ``::1``, ``localhost`` exactly), unless the profile
  says ``allow_insecure_http = true``. ``http://localhost.attacker.example`` and
  ``http://127.0.0.1@10.0.0.5`` are other hosts.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection
from urllib.parse import quote

from streamconsole.backends.base import SourceError
from streamconsole.core.text import inert

# Unicode's control characters (category Cc): C0, DEL and C1.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def name_problem(name: str) -> str:
    """Why ``name`` cannot be a URL path segment ("" when it can), as a sentence's end."""
    if not name:
        return "is empty"
    if name in (".", ".."):
        return f"is {name!r}, which a URL reads as a directory, not a name"
    if _CONTROL.search(name):
        return "holds a control character"
    return ""


def unusable_names(names: Collection[str]) -> list[str]:
    """Those of ``names`` that cannot be URL path segments. A config may hold 100,000
    aliases: a first pass in C (printable text holds no control character) is 10× faster
    than asking :func:`name_problem` of each."""
    dots = any(name in names for name in ("", ".", ".."))
    if not dots and all(map(str.isprintable, names)):
        return []
    return [name for name in names if name_problem(name)]


def name_refusal(name: str, what: str) -> str:
    """The message that refuses ``name`` (an application, a channel, ...); "" if it is fine."""
    problem = name_problem(name)
    if not problem:
        return ""
    return (
        f"{what} {inert(repr(name), limit=80)} {problem}: it cannot be part of a URL, "
        "so nothing is sent for it"
    )


def check_name(name: str, what: str) -> None:
    """Raise SourceError for a name that cannot be a URL path segment."""
    refusal = name_refusal(name, what)
    if refusal:
        raise SourceError(refusal)


def segment(name: str, what: str) -> str:
    """``name`` as one URL path segment, every reserved character percent-encoded."""
    check_name(name, what)
    return quote(name, safe="")


def is_loopback(host: str) -> bool:
    """A literal loopback address (``127.0.0.0/8``, ``::1``) or ``localhost`` exactly."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def plain_http_refusal(scheme: str, host: str, proxy: str = "") -> str:
    """Why credentials may not go to ``scheme://host`` (through ``proxy``); "" if they may.

    Through a proxy, even a loopback address is the proxy's loopback, and the credentials
    cross the network to the proxy first."""
    if scheme != "http":
        return ""
    if proxy:
        return "plain http through a proxy: credentials and keys would travel unencrypted"
    if is_loopback(host):
        return ""
    return (
        f"plain http to {inert(host, limit=80) or 'no host'}, which is not this machine: "
        "credentials and keys would travel unencrypted"
    )


HTTP_ADVICE = "Use https://, or set allow_insecure_http = true if the network is trusted"
