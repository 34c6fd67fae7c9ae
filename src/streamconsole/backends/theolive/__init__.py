"""THEOlive (OptiView Live) as a source: channels, their aliases, and per-alias token security.

Per the wire format (see shared/spec/theolive.md), API v1 (``/channels``, :mod:`.v1`) or v2
(``/v2``, :mod:`.v2`), both behind one small protocol (:mod:`.wire`):

* a channel is an application, its aliases (v1) or distributions (v2) are its aliases, and
  token security is per alias and for play only;
* listing costs one request per page of channels; aliases come on demand with
  :meth:`TheoLiveSource.load_aliases`: in v2 one paged list per channel, which carries the
  keys; in v1 the alias list, then per alias its token-security switch and its CDN keys;
* keys are write-only: the server names them by id only. What this console knows of the
  keys it uploaded (fingerprint, where the material lives) comes from local
  :class:`~streamconsole.backends.theolive.records.KeyRecords`;
* enforcement is v1's token-security switch, or, in v2 and for v1's CDN keys, *derived*:
  on while the alias holds a key;
* a new key is added beside the old one (at most two per alias), so tokens signed with
  either are accepted; the old one is retired by id with :meth:`TheoLiveSource.retire_key`
  once its tokens have expired. v1's single token-security key can only be replaced at
  once, and only when asked: ``apply(changes, hard_cutover=True)``.

What a save may do, and in which writes, is decided by the pure :mod:`.rules`; the source
(:mod:`.source`) checks every save against the server's current state before its first write.
"""

from streamconsole.backends.theolive.source import TheoLiveSource

__all__ = ["TheoLiveSource"]
