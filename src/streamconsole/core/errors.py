"""Typed errors. Messages name the place and never contain secret material."""

from __future__ import annotations


class StreamconsoleError(Exception):
    """Base of every error streamconsole raises on purpose."""


class KeyValidationError(StreamconsoleError):
    """A key is malformed, of the wrong kind, or too weak for its algorithm."""


class TokenBuildError(StreamconsoleError):
    """A token cannot be issued (no private key, bad claim, ...)."""


class PolicyError(StreamconsoleError):
    """An edit the server kind cannot express (e.g. publish JWT on THEOlive)."""


class DurationError(StreamconsoleError):
    """A duration such as ``10m`` could not be parsed."""
