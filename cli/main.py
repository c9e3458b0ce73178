"""Entry point for ``provenance.cli.main:main`` and ``python -m provenance``; the app itself is in
``provenance.cli.app``."""

from __future__ import annotations

import sys

__all__ = ["main"]  # and `app`, loaded on first use


def main() -> None:
    """Run the command line. ``provenance --version`` answers here, before typer, rich or any
    verb is imported (a version check in a script costs the interpreter's start-up and no more);
    so does ``--help`` when the same help was rendered before (cli/helpcache.py)."""
    if sys.argv[1:] == ["--version"]:
        import provenance
        from provenance._versions import version_text

        sys.stdout.write(version_text(provenance.__version__) + "\n")
        return
    argv = sys.argv[1:]
    from . import helpcache

    if helpcache.is_help_call(argv):
        # `provenance [VERB [SUB]] --help`: typer's own text from the last identical call
        # (cli/helpcache.py says what "identical" covers), else typer renders and it is kept.
        text = helpcache.cached_help(argv)
        if text is not None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        from .app import main as run

        with helpcache.recording(argv):
            run()
        return
    import atexit

    atexit.register(_spare_the_last_collection)
    if argv[:1] == ["verify"]:
        from . import fastverify

        call = fastverify.parse(argv[1:])
        if call is not None:  # `verify FILE... [flags]`: without typer (cli/fastverify.py)
            from .guard import guarded

            guarded(lambda: fastverify.run(*call))
            return
    from .app import main as run

    run()


def _spare_the_last_collection() -> None:
    """At exit (an atexit handler: only when the interpreter really ends), spare its last full
    garbage collection, which walks every object of c2pa, typer and ours (~50 ms of a ~230 ms
    `verify x.jpg` measured here) only to free memory the process is giving back: the young
    generations are collected (cycles the command left: their finalizers still run), and what
    is older is frozen (``gc.freeze``), so the final collection skips it. Files are closed by
    ``with`` blocks; standard streams are flushed and other atexit handlers run as before."""
    import gc

    gc.collect(1)
    gc.freeze()


def __getattr__(name: str) -> object:
    if name == "app":  # provenance.cli.main.app, as before the app moved behind main()
        from .app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    main()
