"""THEOlive's save rules on their own: no server, no HTTP, no files. What a save turns
into (which writes, in which order) and every refusal, for v1 (with its token-security
switch) and v2 (security derived from the key list)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from streamconsole.backends.base import ChangeRefused, ConflictError
from streamconsole.backends.theolive.rules import (
    LEGACY_KEY_ID,
    MAX_KEYS,
    AddKey,
    AliasState,
    CutOver,
    Place,
    Switch,
    Write,
    check_key,
    check_retire,
    check_unchanged,
    group_by_alias,
    key_label,
    key_material,
    place_of,
    writes_for,
)
from streamconsole.core.edits import Change, SetEnforcement, SetKey
from streamconsole.core.key_import import private_key_from_pem, public_key_from_text
from streamconsole.core.key_records import KeyEntry, KeyOrigin, RemoteKey
from streamconsole.core.keys import Algorithm, Key, SharedKey, shared_key
from streamconsole.core.model import HARD_CUTOVER, Direction, ScopeRef

KEYS = Path(__file__).parents[1] / "fixtures" / "keys"
MAIN = Place("sports", "sports-main")
OLD = RemoteKey("k-old", "streamconsole 2026-01-01T00:00:00Z")
OTHER = RemoteKey("k-other")


def hs256(fill: str = "a") -> SharedKey:
    return shared_key(Algorithm.HS256, (fill + "0123456789abcdef") * 4)


def new_key(place: Place = MAIN, key: Key | None = None) -> SetKey:
    entry = KeyEntry(key or hs256(), KeyOrigin.NEW)
    return SetKey(ScopeRef(*place), entry, None)


def play(on: bool, place: Place = MAIN) -> SetEnforcement:
    return SetEnforcement(ScopeRef(*place), Direction.PLAY, on, not on)


def plan(
    changes: Sequence[Change],
    state: AliasState,
    *,
    v1: bool,
    legacy_known: bool = False,
    hard_cutover: bool = False,
) -> list[Write]:
    """The writes for MAIN's changes; ``v1``: the API has the token-security switch."""
    return writes_for(
        MAIN, changes, state, has_switch=v1, legacy_known=legacy_known, hard_cutover=hard_cutover
    )


# --- places and labels --------------------------------------------------------------------


def test_a_place_names_its_channel_and_alias() -> None:
    assert MAIN.channel == "sports"
    assert MAIN.alias == "sports-main"
    assert str(MAIN) == "sports/sports-main" == str(ScopeRef(*MAIN))


def test_a_scope_without_an_alias_has_no_token_security_to_edit() -> None:
    assert place_of(ScopeRef("sports", "sports-main"), "distribution") == MAIN
    with pytest.raises(ChangeRefused, match="per distribution, not per channel"):
        place_of(ScopeRef("sports"), "distribution")
    with pytest.raises(ChangeRefused, match="edit its aliases; nothing was written"):
        place_of(ScopeRef("sports"), "alias")


def test_a_key_label_quotes_the_servers_name_inert() -> None:
    assert key_label(RemoteKey("k1")) == "k1"
    label = key_label(RemoteKey("k1", "rotated\x1b[2J\x1b]0;owned\x07"))
    assert label.startswith("k1 (rotated")
    assert "\x1b" not in label
    assert "\x07" not in label


def test_v1s_token_security_key_comes_first_among_the_active_keys() -> None:
    state = AliasState((OLD,), token_security=True)
    assert [k.id for k in state.active_keys()] == [LEGACY_KEY_ID, "k-old"]
    assert state.enforced
    assert AliasState((), token_security=False).enforced is False
    assert AliasState((OLD,)).enforced  # v2: derived from the key list
    assert "token-security on, CDN keys: k-old" in state.describe()


# --- keys ---------------------------------------------------------------------------------


def test_only_algorithms_theolive_verifies_are_sent() -> None:
    check_key(new_key(key=shared_key(Algorithm.HS512, "s" * 32 + "0123456789abcdef" * 2)))
    es256 = public_key_from_text(Algorithm.ES256, (KEYS / "es256.pub.pem").read_text())
    with pytest.raises(ChangeRefused, match=r"sports/sports-main: .*not ES256; nothing was"):
        check_key(new_key(key=es256))


def test_the_server_gets_the_secrets_text_or_the_public_key_never_the_private() -> None:
    secret = hs256()
    assert key_material(secret) == secret.secret.reveal()
    pair = private_key_from_pem(Algorithm.RS256, (KEYS / "rs256.pem").read_text())
    sent = key_material(pair)
    assert sent.startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in sent


# --- grouping -----------------------------------------------------------------------------


def test_changes_are_grouped_per_alias_in_order() -> None:
    backup = Place("sports", "sports-backup")
    changes: list[Change] = [new_key(), play(True, backup), play(True)]
    grouped = group_by_alias(
        changes, hard_cutover=False, alias_noun="distribution", has_switch=False
    )
    assert list(grouped) == [MAIN, backup]
    assert grouped[MAIN] == [changes[0], changes[2]]


def test_publish_has_no_switch_on_theolive() -> None:
    publish = SetEnforcement(ScopeRef(*MAIN), Direction.PUBLISH, True, False)
    with pytest.raises(ChangeRefused, match="THEOlive has no JWT control for publish"):
        group_by_alias([publish], hard_cutover=False, alias_noun="alias", has_switch=True)


def test_a_hard_cutover_is_refused_where_two_keys_can_live_side_by_side() -> None:
    group_by_alias([new_key()], hard_cutover=True, alias_noun="alias", has_switch=True)
    with pytest.raises(ChangeRefused, match="v2 holds two keys side by side"):
        group_by_alias([new_key()], hard_cutover=True, alias_noun="distribution", has_switch=False)


# --- the writes of a save -----------------------------------------------------------------


def test_a_new_key_is_added_beside_the_old_one() -> None:
    change = new_key()
    writes = plan([change], AliasState((OLD,)), v1=False)
    assert writes == [AddKey(MAIN, change)]
    fingerprint = change.entry.fingerprint
    assert writes[0].description == f"sports/sports-main: add key {fingerprint} (HS256)"


def test_a_first_key_goes_with_play_enforcement_on() -> None:
    change = new_key()
    assert plan([play(True), change], AliasState(), v1=False) == [AddKey(MAIN, change)]
    with pytest.raises(ChangeRefused, match="turn play enforcement on in the same save"):
        plan([change], AliasState(), v1=False)
    with pytest.raises(ChangeRefused, match="adding a key turns token security on"):
        plan([play(False), change], AliasState((OLD,)), v1=False)


def test_no_more_than_two_keys_are_ever_held() -> None:
    assert MAX_KEYS == 2
    with pytest.raises(ChangeRefused) as caught:
        plan([new_key()], AliasState((OLD, OTHER)), v1=False)
    message = str(caught.value)
    assert "holds 2 keys (k-old (streamconsole 2026-01-01T00:00:00Z), k-other)" in message
    assert "retire the older one first" in message


def test_v1s_hard_cutover_replaces_the_switch_key_in_one_write() -> None:
    change = new_key()
    writes = plan([change], AliasState((), token_security=True), hard_cutover=True, v1=True)
    assert writes == [CutOver(MAIN, change)]
    assert HARD_CUTOVER in writes[0].description


def test_a_hard_cutover_is_refused_while_a_cdn_key_would_still_accept_old_tokens() -> None:
    state = AliasState((OLD,), token_security=True)
    with pytest.raises(ChangeRefused, match=r"its CDN security keys \(k-old "):
        plan([new_key()], state, hard_cutover=True, v1=True)
    two = [new_key(), new_key(key=hs256("b"))]
    with pytest.raises(ChangeRefused, match="a hard cut-over installs one key"):
        plan(two, AliasState((), token_security=True), hard_cutover=True, v1=True)


def test_nothing_to_write_when_the_switch_is_already_where_asked() -> None:
    assert plan([play(True)], AliasState((OLD,)), v1=False) == []
    assert plan([play(False)], AliasState((), token_security=False), v1=True) == []


def test_v2_has_no_switch_either_way() -> None:
    with pytest.raises(ChangeRefused, match="Rotate a key in to turn it on"):
        plan([play(True)], AliasState(), v1=False)
    with pytest.raises(ChangeRefused, match=r"deleting every key of the distribution \(k-other\)"):
        plan([play(False)], AliasState((OTHER,)), v1=False)


def test_v1s_switch_turns_on_only_with_a_key_the_server_holds() -> None:
    state = AliasState((), token_security=False)
    assert plan([play(True)], state, legacy_known=True, v1=True) == [Switch(MAIN, True)]
    with pytest.raises(ChangeRefused, match="no key is known for its token security"):
        plan([play(True)], state, legacy_known=False, v1=True)


def test_v1s_switch_turns_off_only_when_no_cdn_key_keeps_security_on() -> None:
    on = AliasState((), token_security=True)
    writes = plan([play(False)], on, v1=True)
    assert writes == [Switch(MAIN, False)]
    assert writes[0].description == "sports/sports-main: token security off"
    with pytest.raises(ChangeRefused, match="keep token security on whatever the switch says"):
        plan([play(False)], AliasState((OLD,), token_security=True), v1=True)


# --- retiring, disabling, conflicts -------------------------------------------------------


def test_retiring_names_the_keys_held_when_the_id_is_not_one_of_them() -> None:
    state = AliasState((OLD, OTHER))
    check_retire(MAIN, "k-old", state, turn_off=False, has_switch=False)
    with pytest.raises(ChangeRefused, match=r"holds no key 'k-gone' \(it holds: k-old"):
        check_retire(MAIN, "k-gone", state, turn_off=False, has_switch=False)


def test_retiring_the_last_key_turns_security_off_only_when_meant() -> None:
    for state, v1, instead in (
        (AliasState((OLD,)), False, "Confirm with --turn-off"),
        (AliasState((), token_security=True), True, "or turn play enforcement off"),
    ):
        only = state.active_keys()[0].id
        with pytest.raises(ChangeRefused, match="is its only key") as caught:
            check_retire(MAIN, only, state, turn_off=False, has_switch=v1)
        assert instead in str(caught.value)
        check_retire(MAIN, only, state, turn_off=True, has_switch=v1)


def test_a_write_goes_ahead_only_on_the_state_the_operator_saw() -> None:
    seen = AliasState((OLD,))
    check_unchanged(MAIN, None, seen)  # never read before: nothing to compare
    check_unchanged(MAIN, seen, AliasState((OLD,)))
    with pytest.raises(ConflictError) as caught:
        check_unchanged(MAIN, seen, AliasState((OLD, OTHER)))
    assert "was keys: k-old (" in str(caught.value)
    assert "now keys: k-old (streamconsole 2026-01-01T00:00:00Z), k-other" in str(caught.value)
