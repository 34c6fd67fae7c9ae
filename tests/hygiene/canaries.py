"""The secrets this suite plants, and the one question every test asks of a text: does it
show any of them, whole or in part?

Each planted secret is distinctive ("LEAK-CANARY-<what>-<random hex>", cut to a length its
algorithm accepts), so a hit cannot be a coincidence. The RSA key is the fixed test key
(tests/fixtures/keys/rs256.pem): parsing a fixed key is cheap, generating one is not.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PREFIX = "LEAK-CANARY-"
# A rendering may wrap, truncate or ellipsise a secret: any 12 consecutive characters of
# one (past the shared prefix) are evidence enough; random hex never matches by chance.
TEXT_WINDOW = 12
# PEM bodies: 16 characters, and only those the public key does not share (the modulus is
# in both the private and the public PEM, and the public key may be shown).
PEM_WINDOW = 16
KEYS = Path(__file__).resolve().parents[1] / "fixtures" / "keys"
API_KEY = "hygiene-token-key"  # THEOlive tokenKey: a name, not a secret
ADMIN_EMAIL = "hygiene-admin@example.com"


def canary(what: str, length: int) -> str:
    """``LEAK-CANARY-<what>-<hex>`` of exactly ``length`` characters."""
    head = f"{PREFIX}{what}-"
    assert length >= len(head) + 8, "leave room for the random part"
    return (head + secrets.token_hex(length))[:length]


@dataclass(frozen=True)
class Planted:
    """One secret, by what it is, and the pieces of it that must never show."""

    name: str
    fragments: frozenset[str]

    def found_in(self, text: str) -> bool:
        return any(fragment in text for fragment in self.fragments)


def planted_text(name: str, secret: str) -> Planted:
    start = len(PREFIX) if secret.startswith(PREFIX) else 0
    windows = {secret[i : i + TEXT_WINDOW] for i in range(start, len(secret) - TEXT_WINDOW + 1)}
    return Planted(name, frozenset({secret, *windows}))


def pem_body(pem: str) -> list[str]:
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def planted_pem(name: str, pem: str, *, minus: str = "") -> Planted:
    """A PEM's body lines and their windows, less what ``minus`` (a public PEM) also holds."""
    shared = "".join(pem_body(minus))
    fragments = {
        line[i : i + PEM_WINDOW]
        for line in pem_body(pem)
        for i in range(len(line) - PEM_WINDOW + 1)
        if line[i : i + PEM_WINDOW] not in shared
    }
    return Planted(name, frozenset(fragments))


def planted_token(name: str, token: str) -> Planted:
    """A token: whole, or any 16 characters of its signature (a wrapped token shows its
    signature in pieces; header and claims are no secret, the signature makes it a token)."""
    signature = token.rsplit(".", 1)[-1]
    windows = {signature[i : i + PEM_WINDOW] for i in range(len(signature) - PEM_WINDOW + 1)}
    return Planted(name, frozenset({token, *windows}))


def leaked(text: str, planted: Iterable[Planted]) -> list[str]:
    return [p.name for p in planted if p.found_in(text)]


def assert_clean(
    text: str, planted: Iterable[Planted], where: str, *, shown: Iterable[Planted] = ()
) -> None:
    """``text`` shows none of ``planted``; ``shown`` lists those it may show by design."""
    __tracebackhide__ = True  # a failure report would print every fragment
    shown = tuple(shown)
    allowed = {p.name for p in shown}
    found = [name for name in leaked(text, planted) if name not in allowed]
    assert not found, f"{where} shows {', '.join(found)}"
    if not any(PREFIX in fragment for p in shown for fragment in p.fragments):
        assert PREFIX not in text, f"{where} shows part of a planted secret"


def assert_shows(text: str, planted: Planted, where: str) -> None:
    """The positive control: where a secret is shown by design, the check does find it."""
    __tracebackhide__ = True
    assert planted.found_in(text), f"{where} should show {planted.name} (and the check see it)"


@dataclass(frozen=True, repr=False)  # a failing test's report need not print them
class Canaries:
    """One set of planted secrets: every test module makes its own."""

    stream_secret: str  # Ant Media LiveApp's HS256 secret (key file, and on the emulator)
    new_secret: str  # the HS256 secret rotated in (file, env, stdin, paste)
    hs512_secret: str  # THEOlive alias 'sports' HS512 secret, from an environment variable
    password: str  # Ant Media admin password (sent as its MD5)
    server_secret: str  # Ant Media jwtServerSecretKey (signs ProxyAuthorization)
    api_secret: str  # THEOlive tokenSecret (HTTP Basic)
    inline_secret: str  # a generic application's HS384 secret, inline in the config
    rotated: str  # a secret long enough for any HMAC algorithm, rotated in by the CLI
    private_pem: str
    public_pem: str

    @classmethod
    def fresh(cls) -> Canaries:
        return cls(
            stream_secret=canary("stream", 40),
            new_secret=canary("new", 40),
            hs512_secret=canary("hs512", 72),
            password=canary("password", 36),
            server_secret=canary("server", 40),
            api_secret=canary("api", 40),
            inline_secret=canary("inline", 56),
            rotated=canary("rotated", 72),
            private_pem=(KEYS / "rs256.pem").read_text(encoding="utf-8"),
            public_pem=(KEYS / "rs256.pub.pem").read_text(encoding="utf-8"),
        )

    @property
    def password_md5(self) -> str:
        return hashlib.md5(self.password.encode(), usedforsecurity=False).hexdigest()

    @property
    def basic_auth(self) -> str:
        return base64.b64encode(f"{API_KEY}:{self.api_secret}".encode()).decode("ascii")

    @property
    def private_key(self) -> Planted:
        return planted_pem("the RSA private key", self.private_pem, minus=self.public_pem)

    @property
    def public_key(self) -> Planted:
        return planted_pem("the RSA public key", self.public_pem)

    def secret(self, name: str) -> Planted:
        return planted_text(name, getattr(self, name))

    @property
    def all(self) -> tuple[Planted, ...]:
        """Every planted secret and every derived form a wire or a log could carry."""
        texts = tuple(
            planted_text(name, getattr(self, name))
            for name in (
                "stream_secret",
                "new_secret",
                "hs512_secret",
                "password",
                "server_secret",
                "api_secret",
                "inline_secret",
                "rotated",
            )
        )
        derived = (
            planted_text("the password's MD5", self.password_md5),
            planted_text("the HTTP Basic credentials", self.basic_auth),
        )
        return (*texts, *derived, self.private_key)


# --- the config every test starts from ------------------------------------------------------

HS512_ENV = "HYGIENE_HS512"
CONFIG_NAME = "hygiene.toml"
_CONFIG = """\
[console]
token_ttl = "10m"
save = "manual"
{servers}
[applications.LiveApp]
kind = "antmedia"
label = "Main live app"
publish = true
play = false
key = {{ algorithm = "HS256", key_file = "keys/live.secret", created = 2026-09-01T10:00:00Z }}

[applications.LiveApp.aliases]
stream1 = {{}}

[applications.news]
kind = "theolive"

[applications.news.aliases.evening]
play = true

[applications.news.aliases.evening.key]
algorithm = "RS256"
key_file = "keys/rs256.pub.pem"
private_key_file = "keys/rs256.pem"

[applications.news.aliases.sports]
play = true
key = {{ algorithm = "HS512", key_env = "{hs512_env}" }}

[applications.news.aliases.morning]

[applications.lab]
kind = "generic"
play = true
key = {{ algorithm = "HS384", secret = "{inline}" }}

[applications.lab.aliases]
bench = {{}}
"""


def write_private(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def write_config(directory: Path, canaries: Canaries, *, servers: str = "") -> Path:
    """The hygiene config and its key files in ``directory``; ``servers`` is TOML text."""
    write_private(directory / "keys" / "live.secret", canaries.stream_secret + "\n")
    write_private(directory / "keys" / "rs256.pem", canaries.private_pem)
    (directory / "keys" / "rs256.pub.pem").write_text(canaries.public_pem, encoding="utf-8")
    text = _CONFIG.format(servers=servers, hs512_env=HS512_ENV, inline=canaries.inline_secret)
    path = directory / CONFIG_NAME
    path.write_text(text, encoding="utf-8")
    return path


def environment(canaries: Canaries) -> dict[str, str]:
    """What the config's key_env entries need."""
    return {HS512_ENV: canaries.hs512_secret}


def broken_config(weak: str, env_var: str) -> str:
    """A config whose every key is wrong in its own way: a weak inline secret, a private
    key where the public key belongs, and an HS512 secret from ``env_var``."""
    return f"""
[applications.LiveApp]
kind = "antmedia"
key = {{ algorithm = "HS256", secret = "{weak}" }}

[applications.news]
kind = "theolive"
[applications.news.aliases.evening]
key = {{ algorithm = "RS256", key_file = "keys/rs256.pem" }}
[applications.news.aliases.sports]
key = {{ algorithm = "HS512", key_env = "{env_var}" }}
"""
