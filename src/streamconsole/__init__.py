"""streamconsole: an operator console for live-streaming JWT security."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("streamconsole")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["Console", "__version__", "open_config", "open_server"]


def __getattr__(name: str) -> object:
    # The API pulls in every backend: import it on first use, not with the CLI.
    if name in ("Console", "open_config", "open_server"):
        from streamconsole import api

        return getattr(api, name)
    raise AttributeError(f"module 'streamconsole' has no attribute {name!r}")
