"""What a server says, and what the HTTP loggers write, with the secrets masked.

* :func:`masked_secrets`: every form of the secrets a client has sent (as is, and as JSON
  libraries escape it) replaced by ``********``; :func:`excerpt`, a short inert quote.
* :func:`install_log_mask`: the request log (ours, httpx's) and httpcore's debug log have
  ``token=`` query values and session cookies masked.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable

import httpx

from streamconsole.core.text import inert

# Where HttpClient logs each request ("HTTP Request: GET <url> <status>"), at INFO.
REQUEST_LOGGER = "streamconsole.backends.http"
_TOKEN_QUERY = re.compile(r"((?:^|[?&])(?:token|access_token|jwt)=)[^&\s\"']+", re.IGNORECASE)
# httpcore logs every response's headers at DEBUG: a login's session cookie is a credential.
_SET_COOKIE = re.compile(r"(\(b'set-cookie', b')[^']*", re.IGNORECASE)
# The loggers that write these records: a filter runs only for its own logger's records,
# and httpcore logs on per-module children.
_MASKED_LOGGERS = (REQUEST_LOGGER, "httpx", "httpcore.http11", "httpcore.http2")
MASK = "********"
# How Gson (Ant Media's JSON library) writes these by default, HTML-safe: "=" as \u003d.
_HTML_SAFE = str.maketrans({char: f"\\u{ord(char):04x}" for char in "<>&='"})


def _masked(text: str) -> str:
    return _SET_COOKIE.sub(rf"\1{MASK}", _TOKEN_QUERY.sub(rf"\1{MASK}", text))


class _MaskTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _masked(str(record.msg))
        if record.args:
            record.args = tuple(
                _masked(str(a)) if isinstance(a, str | httpx.URL) else a
                for a in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        return True


_MASK = _MaskTokens()


def install_log_mask() -> None:
    for name in _MASKED_LOGGERS:
        logger = logging.getLogger(name)
        if _MASK not in logger.filters:
            logger.addFilter(_MASK)


def excerpt(body: bytes | str, limit: int = 200) -> str:
    """A short, terminal-safe quote of a reply body (see :meth:`HttpClient.quote`)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    if text.lstrip().lower().startswith(("<!doctype html", "<html")):
        title = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        text = f"HTML page{': ' + title.group(1).strip() if title else ''}"
    return inert(text, limit=limit)


def masked_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each of ``secrets`` replaced by ``********``: as it is, and as JSON
    libraries write it inside a string (escaped, ASCII-only, HTML-safe, with ``\\/``); the
    longest first, so no part of a longer one is left."""
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            escaped = json.dumps(secret)[1:-1]
            forms.update(
                (
                    secret,
                    json.dumps(secret, ensure_ascii=False)[1:-1],
                    escaped,
                    escaped.translate(_HTML_SAFE),
                    escaped.replace("/", "\\/"),
                )
            )
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text
