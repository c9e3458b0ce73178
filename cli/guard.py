"""How every command ends: our errors as one line and an exit code, never a traceback."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from .common import EXIT_OPERATIONAL, EXIT_USAGE, Exit, err

__all__ = ["guarded"]


def guarded(run: Callable[[], object]) -> None:
    """Run a command (typer's app, or the fast verify path of cli/main.py) and turn what it
    raises into the exit code: ``Exit`` its own, a ``ProvenanceError`` its line and code,
    Ctrl-C 130, a closed pipe 1 (as click does), anything else 3 with one line (the traceback
    only with PROVENANCE_DEBUG=1)."""
    from provenance.errors import ProvenanceError

    try:
        run()
    except Exit as exc:
        sys.exit(exc.exit_code)
    except ProvenanceError as exc:
        from .plaintext import plain

        err.print(plain(f"error: {exc}"))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:  # a path argument of 5,000 characters
            name = str(exc.filename or "")
            err.print(f"error: file name too long: {name[:60]}{'...' if len(name) > 60 else ''}"
                      " (give a shorter path)")
            sys.exit(EXIT_USAGE)
        if exc.errno != errno.EPIPE:
            _unexpected(exc)
        # The reader of stdout went away (`provenance verify ... | head`): nothing more can
        # be said there, and the interpreter's last flush must not complain either.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        sys.exit(1)
    except Exception as exc:  # never a traceback for the user
        _unexpected(exc)


def _unexpected(exc: Exception) -> NoReturn:
    if os.environ.get("PROVENANCE_DEBUG"):
        raise exc
    text = str(exc)
    text = text if len(text) <= 300 else text[:300] + "..."  # one line, whatever it holds
    err.print(f"error: unexpected {type(exc).__name__}: {text} "
              "(rerun with PROVENANCE_DEBUG=1 and report it)")
    sys.exit(EXIT_OPERATIONAL)
