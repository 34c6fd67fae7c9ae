"""streamconsole: an operator console for live-streaming JWT security."""

__all__ = ["Console", "__version__", "open_config", "open_server", "open_servers"]


def __getattr__(name: str) -> object:
    # Both are costly to import (importlib.metadata ~80 ms, the API every backend) and
    # starting the console needs neither: computed on first use.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("streamconsole")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    if name in ("Console", "open_config", "open_server"):
        from streamconsole import api

        return getattr(api, name)
    if name == "open_servers":
        from streamconsole import fleet_api

        return fleet_api.open_servers
    raise AttributeError(f"module 'streamconsole' has no attribute {name!r}")
