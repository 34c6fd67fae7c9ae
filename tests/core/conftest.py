"""Fixed keys for the core tests: loaded once per module, never generated per test."""

from __future__ import annotations

import pytest

from streamconsole.core.keys import Algorithm, AsymmetricKey, SharedKey

from .support import fixture_pair, fixture_shared


@pytest.fixture(scope="module")
def hs256_key() -> SharedKey:
    return fixture_shared(Algorithm.HS256, "hs256.secret")


@pytest.fixture(scope="module")
def hs512_key() -> SharedKey:
    return fixture_shared(Algorithm.HS512, "hs512.secret")


@pytest.fixture(scope="module")
def rsa_key() -> AsymmetricKey:
    """The one 2048-bit RSA key pair (a committed fixture, so nothing is generated)."""
    return fixture_pair(Algorithm.RS256, "rs256.pem")


@pytest.fixture(scope="module")
def ec_key() -> AsymmetricKey:
    return fixture_pair(Algorithm.ES256, "es256.pem")
