"""Random text never makes config loading raise anything but our typed errors."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from streamconsole.backends.base import ConfigError
from streamconsole.backends.toml_config import parse_config

FILE = Path("/nonexistent/fuzz.toml")

toml_fragments = st.sampled_from(
    [
        "[applications.A]\n",
        "[applications.A.aliases]\n",
        "[applications.A.aliases.x]\n",
        "[console]\n",
        "[servers.s]\n",
        'kind = "antmedia"\n',
        'kind = "theolive"\n',
        'kind = "generic"\n',
        "kind = 3\n",
        "publish = true\n",
        'play = "yes"\n',
        'key = { algorithm = "HS256", secret = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq" }\n',
        'key = { algorithm = "RS256", public_key = "-----BEGIN PUBLIC KEY-----" }\n',
        'key = { algorithm = "HS256", key_file = "/dev/null" }\n',
        "key = { algorithm = 1 }\n",
        "x = {}\n",
        "aliases = []\n",
        'token_ttl = "10m"\n',
        "token_ttl = -1\n",
        'one_time_token = ["play", 3]\n',
        'url = "ftp://x"\n',
        "created = 2026-01-01\n",
        "[[applications]]\n",
        "= broken\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(toml_fragments, max_size=12))
def test_config_shaped_text_raises_only_config_error(fragments: list[str]) -> None:
    try:
        parse_config("".join(fragments), FILE, environ={})
    except ConfigError as error:
        assert error.problems
        assert all(str(p) for p in error.problems)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_raises_only_config_error(text: str) -> None:
    try:
        parse_config(text, FILE, environ={})
    except ConfigError as error:
        assert error.problems
