"""Where identities and trust anchors live: ``PROVENANCE_HOME`` or the user data directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def home() -> Path:
    """Return the provenance home directory (not created)."""
    env = os.environ.get("PROVENANCE_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs  # here: with PROVENANCE_HOME set nothing needs it

    return Path(platformdirs.user_data_dir("provenance", appauthor=False))


def identity_dir() -> Path:
    """Directory of the default identity."""
    return home() / "identity"


def trust_dir() -> Path:
    """Directory of user trust anchors (one PEM file per anchor bundle)."""
    return home() / "trust"


def config_file() -> Path:
    """``$PROVENANCE_HOME/config.toml`` (optional)."""
    return home() / "config.toml"


#: Every key ``config.toml`` may hold: table -> key -> (expected type, what it is for).
#: Adding a setting is one line here; :func:`config` checks the file against this table.
CONFIG_KEYS: dict[str, dict[str, tuple[type | tuple[type, ...], str]]] = {
    "sign": {
        "tsa_url": (str, "RFC 3161 timestamp authority for `provenance sign` "
                    "(PROVENANCE_TSA_URL and --tsa win)"),
    },
    "registry": {
        "lookup": (list, "registries `verify` and `inspect` also look stripped copies up in "
                   "(DSNs: sqlite:///PATH or postgresql://...)"),
    },
    "limits": {
        "max_stdin_mb": (int, "the most MiB `sign -` / `verify -` read from stdin "
                         "(--max-stdin-mb wins; default 1024)"),
        "file_timeout": ((int, float), "seconds one file of a batch may take "
                         "(--file-timeout wins; default 60)"),
    },
}

_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
               list: "a list"}


def _short(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a one-line message (a value can be 1 MB)."""
    return text if len(text) <= limit else text[:limit] + "..."


def config() -> dict[str, dict[str, Any]]:
    """The settings in ``config.toml`` (``{}`` when there is no file), checked against
    :data:`CONFIG_KEYS`.

    Raises:
        InputError: the file is not valid TOML, or holds an unknown table or key or a value
            of the wrong type; the message names the file and the key (a typo never goes
            unnoticed, as in policy files).
    """
    from provenance.errors import InputError

    path = config_file()
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}",
                         hint="check the file's permissions") from exc
    import tomllib  # here: without a config.toml (most calls) nothing is parsed

    try:
        with fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}",
                         hint="check the file's permissions") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})", hint="fix or remove the file") \
            from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})",
                         hint="config.toml is TOML text; fix or remove the file") from exc
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number, arrays 5,000 deep
        raise InputError(f"{path}: not usable TOML ({_short(str(exc))})",
                         hint="fix or remove the file") from exc
    known_tables = ", ".join(f"[{name}]" for name in CONFIG_KEYS)
    for table, values in data.items():
        keys = CONFIG_KEYS.get(table)
        if keys is None or not isinstance(values, dict):
            raise InputError(f"{path}: unknown {'table' if keys is None else 'setting'} "
                             f"{_short(repr(table))}", hint=f"known tables: {known_tables}")
        for key, value in values.items():
            if key not in keys:
                raise InputError(f"{path}: unknown key {_short(repr(key))} in [{table}]",
                                 hint=f"known keys: {', '.join(keys)}")
            want = keys[key][0]
            if not isinstance(value, want) or (isinstance(value, bool) and want is not bool):
                types = want if isinstance(want, tuple) else (want,)
                expected = " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
                raise InputError(f"{path}: [{table}] {key} must be {expected}, "
                                 f"not {_short(repr(value))}", hint=keys[key][1])
    return data


def config_value(table: str, key: str) -> Any:
    """One setting from ``config.toml`` (None when unset); raises as :func:`config`."""
    return (config().get(table) or {}).get(key)


def default_tsa_url() -> str | None:
    """The configured timestamp authority: ``PROVENANCE_TSA_URL`` or ``tsa_url`` in
    ``config.toml`` (``[sign]`` table); None when neither is set.

    Raises:
        InputError: a malformed config.toml (see :func:`config`).
    """
    env = os.environ.get("PROVENANCE_TSA_URL")
    if env:
        return env
    url = config_value("sign", "tsa_url")
    return str(url) if url else None


#: Defaults of the limits ``config.toml`` may change.
MAX_STDIN_MB = 1024
FILE_TIMEOUT = 60.0


def _limit(key: str, default: float) -> float:
    """A positive number from the ``[limits]`` table of ``config.toml``.

    Raises:
        InputError: the key is there but is not a positive number (or the file is malformed).
    """
    value = config_value("limits", key)
    if value is None:
        return default
    if not value > 0:  # NaN too
        from provenance.errors import InputError

        raise InputError(f"{config_file()}: [limits] {key} must be a positive number, "
                         f"got {value!r}", hint=f"fix it or remove it (default {default:g})")
    return float(value)


def max_stdin_mb() -> int:
    """The cap on stdin input in MiB: ``max_stdin_mb`` in ``config.toml``, default 1024."""
    return int(_limit("max_stdin_mb", MAX_STDIN_MB))


def file_timeout() -> float:
    """Seconds one file of a batch may take: ``file_timeout`` in ``config.toml``, default 60."""
    return _limit("file_timeout", FILE_TIMEOUT)


def tsa_dir() -> Path:
    """Directory of this home's own timestamp authority (``provenance tsa init``)."""
    return home() / "tsa"
