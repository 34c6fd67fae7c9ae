"""Key rotation dialog: generate, import, validation in place, masking, cancel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from streamconsole.core.key_import import public_key_from_text
from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import Algorithm, AsymmetricKey, Key, SharedKey, shared_key
from streamconsole.core.model import HARD_CUTOVER, Alias, Application, ScopeSettings, ServerKind
from streamconsole.core.policy import check_key_for
from streamconsole.tui.rotate import RotateKeyScreen
from streamconsole.tui.rotate_paste import KeyPasteBox
from tests.core.support import NOW, fixture_shared, read_key_file

from .screen_host import (
    ManualClock,
    ScreenHost,
    assert_no_secrets_in_snapshots,
    screen_text,
    settle,
)

HS256 = fixture_shared(Algorithm.HS256, "hs256.secret")
HS512 = fixture_shared(Algorithm.HS512, "hs512.secret")
CREATED = datetime(2025, 9, 1, 10, 0, tzinfo=UTC)


def antmedia() -> Application:
    entry = KeyEntry(HS256, KeyOrigin.FILE, "keys/liveapp.secret", created=CREATED)
    settings = ScopeSettings(publish=True, play=True, key=entry)
    aliases = {name: Alias(name) for name in ("stream1", "camera-2")}
    return Application("LiveApp", ServerKind.ANTMEDIA, settings, aliases=aliases)


def theolive() -> Application:
    """A channel whose alias has its own HS512 key (so RS256 is a change of family)."""
    evening = Alias(
        "evening", settings=ScopeSettings(play=True, key=KeyEntry(HS512, KeyOrigin.FILE))
    )
    return Application("news", ServerKind.THEOLIVE, aliases={"evening": evening})


def rotate(app: Application) -> ScreenHost:
    alias = next(iter(app.aliases.values()))
    return ScreenHost(RotateKeyScreen(app, alias, clock=ManualClock(NOW)))


def screen_of(pilot: Pilot[Any]) -> RotateKeyScreen:
    screen = pilot.app.screen
    assert isinstance(screen, RotateKeyScreen)
    return screen


def message(pilot: Pilot[Any]) -> str:
    return str(pilot.app.screen.query_one("#rotate-message", Static).render())


def new_key_panel(pilot: Pilot[Any]) -> str:
    return str(pilot.app.screen.query_one("#rotate-new", Static).render())


async def choose(pilot: Pilot[Any], algorithm: Algorithm) -> None:
    pilot.app.screen.query_one("#rotate-algorithm", Select).value = algorithm
    await pilot.pause()
    assert screen_of(pilot).algorithm is algorithm


async def paste_key(pilot: Pilot[Any], text: str) -> None:
    box = pilot.app.screen.query_one("#rotate-key-paste", KeyPasteBox)
    box.focus()
    await pilot.pause()
    box.post_message(events.Paste(text))
    await pilot.pause()


async def paste_secret(pilot: Pilot[Any], text: str) -> None:
    field = pilot.app.screen.query_one("#rotate-secret", Input)
    field.focus()
    await pilot.pause()
    field.post_message(events.Paste(text))
    await pilot.pause()


def returned(host: ScreenHost) -> Key:
    assert len(host.results) == 1
    key = host.results[0]
    assert isinstance(key, SharedKey | AsymmetricKey)
    return key


# --- generate -------------------------------------------------------------------------------


async def test_generate_hs256_for_antmedia() -> None:
    host = rotate(antmedia())
    async with host.run_test() as pilot:
        await settle(pilot)
        shown = screen_text(pilot.app)
        assert HS256.fingerprint in shown  # the current key, by fingerprint only
        assert "created 2025-09-01 (500d ago)" in shown
        warning = str(pilot.app.screen.query_one("#rotate-warning", Static).render())
        assert f"⚠ Hard {HARD_CUTOVER.removeprefix('hard ')} when the new key is saved" in warning
        assert "(Ant Media holds one key)" in warning

        await pilot.press("ctrl+g")
        candidate = screen_of(pilot).candidate
        assert isinstance(candidate, SharedKey)
        assert candidate.fingerprint in new_key_panel(pilot)
        assert candidate.secret.reveal() not in screen_text(pilot.app)

        await pilot.press("ctrl+y")
        await pilot.pause()
    key = returned(host)
    assert key is candidate
    assert key.algorithm is Algorithm.HS256
    check_key_for(antmedia(), key)
    # It passes the same validation an imported secret gets, with Ant Media's floor.
    assert shared_key(Algorithm.HS256, key.secret.reveal(), min_chars=32).fingerprint == (
        key.fingerprint
    )


def unwrapped(pilot: Pilot[Any]) -> str:
    """The screen's lines without the dialog's borders, joined: a wrapped secret is whole."""
    return "".join(line.strip().strip("█").strip() for line in screen_text(pilot.app).splitlines())


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
@pytest.mark.parametrize("make", [antmedia, theolive], ids=["HS256", "HS512"])
async def test_a_generated_secret_is_shown_whole_only_when_revealed(
    size: tuple[int, int], make: Callable[[], Application]
) -> None:
    async with rotate(make()).run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        candidate = screen_of(pilot).candidate
        assert isinstance(candidate, SharedKey)
        secret = candidate.secret.reveal()
        assert secret not in unwrapped(pilot)
        await pilot.press("v")
        assert secret in unwrapped(pilot)
        assert "⚠ Hard cut-over" in screen_text(pilot.app)  # the warning stays in view
        await pilot.press("v")
        assert secret not in unwrapped(pilot)


async def test_ctrl_o_copies_the_new_secret_without_showing_it() -> None:
    async with rotate(antmedia()).run_test() as pilot:
        await settle(pilot)
        assert "^o Copy secret" in screen_text(pilot.app)
        await pilot.press("ctrl+o")  # nothing to copy yet
        assert pilot.app.clipboard == ""

        await pilot.press("ctrl+g", "ctrl+o")
        candidate = screen_of(pilot).candidate
        assert isinstance(candidate, SharedKey)
        assert pilot.app.clipboard == candidate.secret.reveal()
        assert "copied to the clipboard (OSC 52" in message(pilot)
        assert candidate.secret.reveal() not in unwrapped(pilot)

        await paste_secret(pilot, read_key_file("hs512.secret"))
        await pilot.press("ctrl+o")
        assert pilot.app.clipboard == read_key_file("hs512.secret").strip()


async def test_key_pairs_offer_no_copy() -> None:
    async with rotate(theolive()).run_test() as pilot:
        await settle(pilot)
        await choose(pilot, Algorithm.RS256)
        await paste_key(pilot, read_key_file("rs256.pem"))
        assert screen_of(pilot).candidate is not None
        assert "Copy secret" not in screen_text(pilot.app)
        await pilot.press("ctrl+o")
        assert pilot.app.clipboard == ""


async def test_generate_rs256_for_theolive_in_a_worker() -> None:
    host = rotate(theolive())
    async with host.run_test() as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        assert screen.algorithm is Algorithm.HS512  # the current key's algorithm
        await choose(pilot, Algorithm.RS256)

        screen.action_generate()
        # Nothing has run yet on this loop: the pair is being made in a thread.
        assert screen.generating
        assert screen.query_one("#rotate-new").loading
        assert screen.candidate is None

        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.generating
        assert not screen.query_one("#rotate-new").loading
        candidate = screen.candidate
        assert isinstance(candidate, AsymmetricKey)
        assert candidate.algorithm is Algorithm.RS256
        assert candidate.can_sign
        assert isinstance(candidate.verifying_key, rsa.RSAPublicKey)
        assert candidate.verifying_key.key_size == 3072
        assert candidate.fingerprint[:20] in new_key_panel(pilot)

        await pilot.press("ctrl+y")
        await pilot.pause()
    assert returned(host) is candidate


async def test_a_refused_ctrl_y_says_why() -> None:
    host = rotate(antmedia())
    async with host.run_test() as pilot:
        await settle(pilot)
        await pilot.press("ctrl+y")  # no key yet
        await pilot.pause()
        assert message(pilot) == "No new key yet: generate one (ctrl+g) or import one."
        assert isinstance(pilot.app.screen, RotateKeyScreen)

        await paste_secret(pilot, "short")
        refusal = message(pilot)
        assert "this server needs at least 32" in refusal
        await pilot.press("ctrl+y")  # a key that was refused: the reason stays
        await pilot.pause()
        assert message(pilot) == refusal
        assert isinstance(pilot.app.screen, RotateKeyScreen)
    assert host.results == []


async def test_changing_the_algorithm_while_generating_drops_the_result() -> None:
    async with rotate(theolive()).run_test() as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await choose(pilot, Algorithm.RS512)
        screen.action_generate()
        assert screen.generating
        await choose(pilot, Algorithm.HS256)
        assert not screen.generating
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.candidate is None


# --- import ---------------------------------------------------------------------------------


async def test_a_31_character_secret_is_refused_for_antmedia() -> None:
    host = rotate(antmedia())
    async with host.run_test() as pilot:
        await settle(pilot)
        secret = "k7Qx2Vn9Lp4Rt8Wz1Yb6Mc3Hd5Fg0Js"[:31]
        await paste_secret(pilot, secret)
        assert "the secret has 31 characters; this server needs at least 32" in message(pilot)
        assert screen_of(pilot).candidate is None
        assert secret not in screen_text(pilot.app)  # the field is a password field

        await pilot.press("ctrl+y")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RotateKeyScreen)
        assert host.results == []

        await pilot.press("Q")  # the 32nd character makes it acceptable
        assert message(pilot) == ""
        assert isinstance(screen_of(pilot).candidate, SharedKey)


async def test_a_guessable_secret_is_refused_naming_the_estimate() -> None:
    """Long enough and 8 distinct characters, but a pattern: a new secret is held to the
    entropy estimate, and the message says the rule, never the secret."""
    async with rotate(antmedia()).run_test() as pilot:
        await settle(pilot)
        secret = "abcdefgh" * 4
        await paste_secret(pilot, secret)
        assert message(pilot).startswith("the secret looks guessable: an estimated 6 bits")
        assert screen_of(pilot).candidate is None
        assert "abcdefgh" not in screen_text(pilot.app)


async def test_importing_the_current_key_changes_nothing() -> None:
    async with rotate(antmedia()).run_test() as pilot:
        await settle(pilot)
        await paste_secret(pilot, read_key_file("hs256.secret"))
        assert "the key in use now" in message(pilot)
        assert screen_of(pilot).candidate is None


async def test_a_private_pem_where_a_public_key_is_expected_is_a_private_import() -> None:
    host = rotate(theolive())
    async with host.run_test() as pilot:
        await settle(pilot)
        await choose(pilot, Algorithm.RS256)
        pem = read_key_file("rs256.pem")
        await paste_key(pilot, pem)
        candidate = screen_of(pilot).candidate
        assert isinstance(candidate, AsymmetricKey)
        assert candidate.can_sign
        derived = public_key_from_text(Algorithm.RS256, read_key_file("rs256.pub.pem"))
        assert candidate.fingerprint == derived.fingerprint
        assert "Only the public key goes to the server" in message(pilot)
        shown = screen_text(pilot.app)
        assert "PEM PRIVATE key, 1,703 chars (hidden)" in shown
        for line in pem.split("-----")[2].split():
            assert line not in shown

        await pilot.press("ctrl+y")
        await pilot.pause()
    assert returned(host) is candidate


async def test_a_public_pem_imports_without_a_private_key() -> None:
    async with rotate(theolive()).run_test() as pilot:
        await settle(pilot)
        await choose(pilot, Algorithm.RS256)
        await paste_key(pilot, read_key_file("rs256.pub.pem"))
        candidate = screen_of(pilot).candidate
        assert isinstance(candidate, AsymmetricKey)
        assert not candidate.can_sign
        assert "imported public key" in new_key_panel(pilot)


async def test_an_ec_key_for_rs256_is_refused_in_place() -> None:
    async with rotate(theolive()).run_test() as pilot:
        await settle(pilot)
        await choose(pilot, Algorithm.RS256)
        await paste_key(pilot, read_key_file("es256.pub.pem"))
        assert "RS256 needs an RSA key; this is an EC key" in message(pilot)
        assert screen_of(pilot).candidate is None


async def test_a_huge_paste_is_not_taken_for_a_key() -> None:
    async with rotate(theolive()).run_test() as pilot:
        await settle(pilot)
        await choose(pilot, Algorithm.RS256)
        await paste_key(pilot, "-----BEGIN PUBLIC KEY-----\n" + "A" * 200_000)
        assert "200,027 chars pasted: too long for a key" in screen_text(pilot.app)
        assert screen_of(pilot).candidate is None


async def test_changing_the_algorithm_rechecks_the_pasted_key() -> None:
    async with rotate(theolive()).run_test() as pilot:
        await settle(pilot)
        await choose(pilot, Algorithm.RS256)
        await paste_key(pilot, read_key_file("rs256.pem"))
        assert screen_of(pilot).candidate is not None
        await choose(pilot, Algorithm.RS512)
        candidate = screen_of(pilot).candidate
        assert candidate is not None
        assert candidate.algorithm is Algorithm.RS512


async def test_an_alias_that_inherits_is_told_the_new_key_applies_to_it_alone() -> None:
    app = theolive()
    app.settings.key = KeyEntry(HS256, KeyOrigin.FILE)
    app.aliases["evening"].settings = ScopeSettings(play=True)
    async with rotate(app).run_test() as pilot:
        await settle(pilot)
        scope = str(pilot.app.screen.query_one("#rotate-scope", Static).render())
        assert scope == (
            "Scope: alias evening of news. It uses the application's key now; "
            "the new key applies to it alone."
        )
        assert HS256.fingerprint in screen_text(pilot.app)
        assert screen_of(pilot).algorithm is Algorithm.HS256


# --- leaving --------------------------------------------------------------------------------


async def test_escape_cancels_with_none() -> None:
    host = rotate(antmedia())
    async with host.run_test() as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, RotateKeyScreen)
    assert host.results == [None]


# --- snapshots ------------------------------------------------------------------------------


def test_snapshot_antmedia_with_a_pasted_secret(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await paste_secret(pilot, read_key_file("hs512.secret"))

    assert snap_compare(rotate(antmedia()), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_a_revealed_secret_wraps_whole(snap_compare: Any) -> None:
    # A made-up secret (no key anywhere): the layout of a revealed one, longer than a line.
    placeholder = "placeholder-7fQ2xLw9KpR4tB8mJc3HsY6dGv1ZaE5uWo0iTnXqNb2Lr8Pe4Ks6Dj9Fh3"

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await paste_secret(pilot, placeholder)
        await pilot.press("escape", "v")  # out of the field, where v would type

    assert snap_compare(rotate(antmedia()), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_theolive_with_a_pasted_private_key(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await choose(pilot, Algorithm.RS256)
        await paste_key(pilot, read_key_file("rs256.pem"))

    assert snap_compare(rotate(theolive()), terminal_size=(80, 24), run_before=run_before)


def test_no_secret_in_any_snapshot() -> None:
    assert_no_secrets_in_snapshots(__file__, expected=3)
