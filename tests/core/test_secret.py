"""Secret: the value leaves the object only through reveal(), never through formatting."""

from __future__ import annotations

import logging
import pickle
import pprint
import sys
import traceback

import pytest

from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import Algorithm, AsymmetricKey, SharedKey
from streamconsole.core.secret import Secret

from .support import VENDOR_SECRET

MASK = "Secret('********')"


@pytest.fixture
def secret() -> Secret:
    return Secret(VENDOR_SECRET)


def test_reveal_gives_the_value_back(secret: Secret) -> None:
    assert secret.reveal() == VENDOR_SECRET
    assert secret.reveal_bytes() == VENDOR_SECRET.encode("utf-8")
    assert len(secret) == 32


def test_reveal_bytes_is_utf8() -> None:
    assert Secret("clé").reveal_bytes() == b"cl\xc3\xa9"
    assert len(Secret("clé")) == 3


@pytest.mark.parametrize(
    "render",
    [
        repr,
        str,
        format,
        ascii,
        lambda s: f"{s}",
        lambda s: f"{s!r}",
        lambda s: f"{s!s}",
        lambda s: f"{s:>60}",
        lambda s: "%s" % s,  # noqa: UP031 - old-style formatting is a path to cover
        lambda s: "%r" % s,  # noqa: UP031
        lambda s: "{}".format(s),  # noqa: UP032
        lambda s: repr([s, {"k": s}, (s,)]),
        pprint.pformat,
    ],
    ids=[
        "repr",
        "str",
        "format",
        "ascii",
        "fstring",
        "fstring-r",
        "fstring-s",
        "fstring-spec",
        "percent-s",
        "percent-r",
        "str.format",
        "containers",
        "pprint",
    ],
)
def test_no_formatting_shows_the_value(secret: Secret, render: object) -> None:
    assert callable(render)
    text = render(secret)
    assert VENDOR_SECRET not in text
    assert "********" in text


def test_repr_is_the_fixed_mask(secret: Secret) -> None:
    assert repr(secret) == MASK
    assert str(secret) == MASK


def test_traceback_with_locals_does_not_show_the_value(secret: Secret) -> None:
    def fails_holding(value: Secret) -> None:
        held = value  # a local that a traceback with locals prints
        raise RuntimeError(f"failed with {held}")

    try:
        fails_holding(secret)
    except RuntimeError:
        info = sys.exc_info()
    text = "".join(traceback.TracebackException(*info, capture_locals=True).format()) + "".join(
        traceback.format_exception(*info)
    )
    assert "held" in text  # the locals really were rendered
    assert VENDOR_SECRET not in text


def test_exception_arguments_do_not_show_the_value(secret: Secret) -> None:
    error = ValueError("bad key", secret)
    assert VENDOR_SECRET not in str(error)
    assert VENDOR_SECRET not in repr(error)


def test_logging_does_not_show_the_value(secret: Secret, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("streamconsole.test").info("key %s / %r", secret, secret)
    assert "key " in caplog.text
    assert VENDOR_SECRET not in caplog.text


def test_keys_holding_secrets_do_not_show_them(secret: Secret) -> None:
    shared = SharedKey(Algorithm.HS256, secret)
    assert shared.hmac_key == VENDOR_SECRET.encode()  # cached on the instance now
    entry = KeyEntry(shared, KeyOrigin.FILE, "/etc/keys/live.secret")
    for text in (repr(shared), str(shared), repr(entry), f"{entry}"):
        assert VENDOR_SECRET not in text


def test_private_key_pem_is_not_in_a_key_pair_repr(ec_key: AsymmetricKey) -> None:
    pair = ec_key
    assert pair.private_pem is not None
    body = pair.private_pem.reveal().splitlines()[1]
    assert body not in repr(pair)
    assert "PRIVATE" not in repr(pair)


def test_equality_compares_values() -> None:
    assert Secret("a" * 40) == Secret("a" * 40)
    assert Secret("a" * 40) != Secret("a" * 39 + "b")
    assert Secret("a" * 40) != Secret("a" * 41)
    assert hash(Secret("same")) == hash(Secret("same"))


def test_a_secret_never_equals_plain_text(secret: Secret) -> None:
    assert secret != VENDOR_SECRET
    assert secret != VENDOR_SECRET.encode()


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling_is_refused(secret: Secret, protocol: int) -> None:
    with pytest.raises(TypeError, match="cannot be pickled") as caught:
        pickle.dumps(secret, protocol=protocol)
    assert VENDOR_SECRET not in str(caught.value)


def test_pickling_a_key_that_holds_a_secret_is_refused(secret: Secret) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(SharedKey(Algorithm.HS256, secret))
