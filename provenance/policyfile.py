"""Verification policies for pipelines, read from a TOML file (``provenance verify --policy``).

::

    version = 1                       # optional; only 1 exists

    [trust]
    anchors = ["certs/newsroom-root.pem"]   # PEM files, relative to this file's folder
    require_trusted = true            # default: true when anchors are listed, else false

    [signers]                         # any one entry must match; every key in it must match
    allowed = [{name = "Ada Lovelace"}, {org = "Example News"}, {email = "desk@example.org"}]

    [origin]
    allow = ["human"]                 # of human, ai, mixed, unknown; default ["human"]

    [unsigned]
    action = "fail"                   # fail | warn | skip; default fail

    [age]
    max_days = 365                    # signed at most this many days ago

    [domain]                          # the signer's own domain vouches for its key (fetched)
    require = true                    # default: true when allowed is listed
    allowed = ["example.org"]         # only these domains count

Every section is optional; an empty file is the default policy (intact, human origin, no
tampered ingredient). Anything else is refused with the file, the key and what was expected:
a typo in a policy must never quietly relax it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from provenance._record import record
from provenance.errors import InputError, TrustError
from provenance.trust import TrustStore, store_from_state, store_state

# The rules and tomllib are imported where a policy file is read: `verify FILE` without
# --policy imports this module (store_state, for the workers) and no more.
if TYPE_CHECKING:
    from provenance.origin import OriginClass
    from provenance.policy import Policy, SignerIdentity
    from provenance.report import Report

__all__ = ["PipelinePolicy", "PolicyError", "UnsignedAction", "load_policy", "parse_policy"]

UnsignedAction = Literal["fail", "warn", "skip"]
_ORIGINS: tuple[OriginClass, ...] = ("human", "ai", "mixed", "unknown")
_ACTIONS: tuple[UnsignedAction, ...] = ("fail", "warn", "skip")
_SECTIONS: dict[str, tuple[str, ...]] = {
    "version": (),
    "trust": ("anchors", "require_trusted"),
    "signers": ("allowed",),
    "origin": ("allow",),
    "unsigned": ("action",),
    "age": ("max_days",),
    "domain": ("require", "allowed"),
}
_SIGNER_KEYS = ("name", "email", "org")


class PolicyError(InputError):
    """A policy file is missing, not TOML, or says something we do not understand (exit 2)."""


@record
class PipelinePolicy:
    """A policy for a batch: the rules, the anchors they need, and what unsigned files mean.

    ``check`` first demands an intact manifest and reports only that when it fails (the other
    rules have nothing trustworthy to judge), then every other rule.
    """

    rules: tuple[Policy, ...] = ()
    #: anchors to trust during this verification, in addition to the installed ones
    anchors: TrustStore = field(default_factory=TrustStore)
    unsigned: UnsignedAction = "fail"
    #: the file it came from, for messages
    source: str | None = None
    #: a [domain] rule is in force (so verify fetches the signer's domain file)
    domain_required: bool = False

    def check(self, report: Report) -> list[str]:
        """Reasons the report fails (empty when it holds)."""
        from provenance.policy import AllOf, Intact

        broken = Intact().check(report)
        if broken:
            return broken
        return AllOf(self.rules).check(report) if self.rules else []

    # Certificates do not pickle; process pools and Dask workers get the anchors as DER.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["anchors"] = store_state(self.anchors)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state["anchors"] = store_from_state(state["anchors"])
        for key, value in state.items():
            object.__setattr__(self, key, value)


def load_policy(path: Path | str) -> PipelinePolicy:
    """Read and check a policy file.

    Raises:
        PolicyError: unreadable, not TOML, unknown keys, wrong types, unusable anchor files.
    """
    import tomllib

    from provenance._files import read_small

    p = Path(path)
    try:
        text = read_small(p)
    except ValueError as exc:  # /dev/zero, a socket, 64 MiB
        raise PolicyError(f"the policy {exc}", hint="give the policy's .toml file") from exc
    except FileNotFoundError as exc:
        raise PolicyError(f"policy file not found: {p}", hint="check the --policy path") \
            from exc
    except IsADirectoryError as exc:
        raise PolicyError(f"the policy {p} is a directory",
                          hint="give the policy's .toml file") from exc
    except OSError as exc:
        raise PolicyError(f"cannot read policy file {p}: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{p}: not UTF-8 text (byte {exc.start})",
                          hint="a policy file is TOML text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{p}: not valid TOML: {exc}",
                          hint="see the policy file format in the README") from exc
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number, arrays 5,000 deep
        raise PolicyError(f"{p}: not usable TOML: {str(exc)[:60]}",
                          hint="see the policy file format in the README") from exc
    return parse_policy(data, base=p.parent, where=str(p))


def parse_policy(data: dict[str, Any], *, base: Path = Path("."),
                 where: str = "policy") -> PipelinePolicy:
    """Build a :class:`PipelinePolicy` from parsed TOML (``base`` resolves anchor paths).

    Raises:
        PolicyError: as :func:`load_policy`.
    """

    from provenance.policy import (
        AnyOf,
        IngredientsIntact,
        IssuedBy,
        MaxAge,
        NoAIIngredient,
        OriginIn,
        SignerIdentity,
        TrustedSigner,
    )

    def fail(key: str, problem: str, hint: str | None = None) -> PolicyError:
        return PolicyError(f"{where}: {key}: {problem}",
                           hint=hint or "see the policy file format in the README")

    for key, value in data.items():
        if key not in _SECTIONS:
            raise fail(key, "unknown key", f"known: {', '.join(_SECTIONS)}")
        if key != "version" and not isinstance(value, dict):
            raise fail(key, f"must be a table ([{key}]), got {_type(value)}")
    if "version" in data and (type(data["version"]) is not int or data["version"] != 1):
        raise fail("version", f"must be 1, got {data['version']!r}")
    for section, keys in _SECTIONS.items():
        for key in (data.get(section) or {}) if section != "version" else ():
            if key not in keys:
                raise fail(f"[{section}] {key}", "unknown key", f"known in [{section}]: "
                           + ", ".join(keys))

    trust = data.get("trust", {})
    anchor_files = _list_of(trust, "anchors", str, lambda k, p: fail(f"[trust] {k}", p))
    anchors = _anchors(anchor_files, base, fail)
    require_trusted = trust.get("require_trusted", bool(anchor_files))
    if not isinstance(require_trusted, bool):
        raise fail("[trust] require_trusted", f"must be true or false, got "
                   f"{_type(require_trusted)} {require_trusted!r}")

    signers = data.get("signers", {})
    allowed: list[SignerIdentity] = []
    entries = _list_of(signers, "allowed", dict, lambda k, p: fail(f"[signers] {k}", p))
    if "allowed" in signers and not entries:
        raise fail("[signers] allowed", "is empty, so no signer could ever pass",
                   "list at least one signer, or remove [signers] to accept any signer")
    for i, entry in enumerate(entries):
        key = f"[signers] allowed[{i}]"
        for k, v in entry.items():
            if k not in _SIGNER_KEYS:
                raise fail(key, f"unknown key {k!r}", f"known: {', '.join(_SIGNER_KEYS)}")
            if not isinstance(v, str) or not v.strip():
                raise fail(f"{key}.{k}", f"must be a non-empty string, got {_type(v)} {v!r}")
        if not entry:
            raise fail(key, "is empty", f"give at least one of {', '.join(_SIGNER_KEYS)}")
        allowed.append(SignerIdentity(name=entry.get("name"), email=entry.get("email"),
                                      organization=entry.get("org")))

    origin = data.get("origin", {})
    allow = _list_of(origin, "allow", str, lambda k, p: fail(f"[origin] {k}", p))
    if "allow" in origin and not allow:
        raise fail("[origin] allow", "is empty, so no file could ever pass",
                   f"list some of {', '.join(_ORIGINS)}")
    for i, value in enumerate(allow):
        if value not in _ORIGINS:
            raise fail(f"[origin] allow[{i}]", f"unknown origin {value!r}",
                       f"choose from {', '.join(_ORIGINS)}")
    allowed_origins = frozenset(cast("list[OriginClass]", allow or ["human"]))

    action = data.get("unsigned", {}).get("action", "fail")
    if action not in _ACTIONS:
        raise fail("[unsigned] action", f"must be one of {', '.join(_ACTIONS)}, got {action!r}")

    max_days = data.get("age", {}).get("max_days")
    if max_days is not None and (isinstance(max_days, bool)
                                 or not isinstance(max_days, int | float) or max_days <= 0):
        raise fail("[age] max_days", f"must be a positive number of days, got "
                   f"{_type(max_days)} {max_days!r}")

    rules: list[Policy] = [IngredientsIntact(require_trusted=require_trusted)]
    if require_trusted:
        rules.append(TrustedSigner())
        if anchors.certificates:
            rules.append(IssuedBy.from_certificates(anchors.certificates))
    if allowed:
        rules.append(allowed[0] if len(allowed) == 1 else AnyOf(tuple(allowed)))
    rules.append(OriginIn(allowed_origins))
    if not allowed_origins & {"ai", "mixed"}:
        rules.append(NoAIIngredient())
    if max_days is not None:
        rules.append(MaxAge(float(max_days)))
    domain_rule = _domain_rule(data.get("domain", {}), fail)
    if domain_rule is not None:
        rules.append(domain_rule)
    return PipelinePolicy(rules=tuple(rules), anchors=anchors,
                          unsigned=cast(UnsignedAction, action), source=where,
                          domain_required=domain_rule is not None)


def _domain_rule(table: dict[str, Any], fail: Callable[..., PolicyError]) -> Policy | None:
    from provenance._domainname import check_domain_name
    from provenance.policy_rules import DomainRequired

    names = _list_of(table, "allowed", str, lambda k, p: fail(f"[domain] {k}", p))
    if "allowed" in table and not names:
        raise fail("[domain] allowed", "is empty, so no signer could ever pass",
                   "list a domain, or remove allowed to accept any verified domain")
    require = table.get("require", bool(names))
    if not isinstance(require, bool):
        raise fail("[domain] require", f"must be true or false, got {_type(require)}")
    if not require:
        if names:
            raise fail("[domain] require", "is false but allowed lists domains",
                       "remove one of them")
        return None
    try:
        allowed = tuple(check_domain_name(n) for n in names)
    except InputError as exc:
        raise fail("[domain] allowed", str(exc)) from exc
    return DomainRequired(allowed)


def _type(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def _list_of(table: dict[str, Any], key: str, kind: type,
             fail: Callable[[str, str], PolicyError]) -> list[Any]:
    if key not in table:
        return []
    value = table[key]
    if not isinstance(value, list):
        raise fail(key, f"must be an array, got {_type(value)} {value!r}")
    for i, item in enumerate(value):
        if not isinstance(item, kind) or (isinstance(item, bool) and kind is not bool):
            want = "a string" if kind is str else "a table ({...})" if kind is dict \
                else kind.__name__
            raise fail(f"{key}[{i}]", f"must be {want}, got {_type(item)} {item!r}")
    return list(value)


def _anchors(files: list[str], base: Path,
             fail: Callable[..., PolicyError]) -> TrustStore:
    store = TrustStore()
    for i, name in enumerate(files):
        path = Path(name).expanduser()
        if not path.is_absolute():
            path = base / path
        if not path.is_file():
            raise fail(f"[trust] anchors[{i}]", f"anchor file {name!r} not found "
                       f"(looked for {path})",
                       "anchor paths are relative to the policy file's folder")
        try:
            store = store.merged(TrustStore.from_pem_files([path]))
        except TrustError as exc:
            raise fail(f"[trust] anchors[{i}]", exc.message, exc.hint) from exc
    return store
