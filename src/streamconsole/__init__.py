"""streamconsole: an operator console for live-streaming JWT security."""

__all__ = ["Console", "__version__", "open_config", "open_server", "open_servers"]

# The one place the version is written: pyproject.toml reads it from here, and --version
# prints it without importlib.metadata (which costs more than Python's own start-up).
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # The API imports every backend, and starting the console does not need it: on first use.
    if name in ("Console", "open_config", "open_server"):
        from streamconsole import api

        return getattr(api, name)
    if name == "open_servers":
        from streamconsole import fleet_api

        return fleet_api.open_servers
    raise AttributeError(f"module 'streamconsole' has no attribute {name!r}")
