"""The Python API's views (what a notebook shows: tables, reports, pending edits, issued and
explained tokens): fingerprints, never a secret or a private key."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamconsole.api import open_config
from streamconsole.core.secret import Secret
from tests.hygiene.canaries import Canaries, assert_clean, assert_shows, environment, planted_token


def test_notebook_views(
    config_path: Path, canaries: Canaries, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environment(canaries).items():
        monkeypatch.setenv(name, value)
    planted = (*canaries.all, canaries.public_key)
    with open_config(config_path) as console:
        views = [console.applications, *(console.aliases(app) for app in ("LiveApp", "news"))]
        views += [console.show(s) for s in ("LiveApp", "news/evening", "news/sports", "lab")]
        console.rotate("LiveApp", secret=Secret(canaries.new_secret))
        console.rotate("news/morning", private_key=Secret(canaries.private_pem), algorithm="RS256")
        issued = console.token("news/evening", "play")
        token = planted_token("the issued token", issued.token)
        explained = console.explain(issued.token, "news/evening", "play")
        texts = [repr(v) + v._repr_html_() for v in views]
        texts += [repr(console.pending), repr(explained), explained._repr_html_()]
        texts += [issued._repr_html_(), repr(issued.data)]
        for text in texts:
            assert_clean(text, (*planted, token), "an API view")
        assert_shows(repr(issued), token, "the issued token's repr")
        assert_clean(repr(issued), planted, "the issued token's repr", shown=[token])
