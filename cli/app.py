"""The root ``provenance`` app: ``--version``, ``help TOPIC``, the registered verbs, plain help
text, and the ``main()`` handler."""

# Human output goes to stderr (one ``OK``/``FAIL`` line per file), machine output to stdout
# (``--json`` one document, ``--jsonl`` one line per file). Exit codes: 0 all passed, 1 a
# verification or policy failed, 2 bad usage or unreadable input, 3 operational failure.

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

import provenance
from provenance._versions import version_text
from provenance.errors import ProvenanceError

from . import topics
from .common import EXIT_OPERATIONAL, EXIT_USAGE, err, out
from .doctor import doctor_cmd
from .identity import identity_app
from .publish import publish_cmd
from .registry import registry_app
from .serve import serve_cmd
from .sign import sign_cmd, strip_cmd
from .trust import trust_app
from .tsa import tsa_app
from .verify import inspect_cmd, verify_cmd

#: -h as well as --help, on every command (click passes it down to subcommands).
CONTEXT = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="provenance",
    help="Sign human-made files with C2PA Content Credentials and verify them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # provenance --install-completion / --show-completion SHELL
    context_settings=CONTEXT,
)
# Registration order is the order of `provenance --help`: commands, then groups.
app.command("sign")(sign_cmd)
app.command("strip")(strip_cmd)
app.command("verify")(verify_cmd)
app.command("inspect")(inspect_cmd)
app.command("serve")(serve_cmd)
app.command("doctor")(doctor_cmd)
app.command("publish")(publish_cmd)
app.add_typer(identity_app, name="identity")
app.add_typer(trust_app, name="trust")
app.add_typer(tsa_app, name="tsa")
app.add_typer(registry_app, name="registry")


@app.command("help")
def help_cmd(
    ctx: typer.Context,
    topic: Annotated[str | None, typer.Argument(
        metavar="TOPIC", show_default=False,
        help="A topic (identity, trust, config, environment, exit-codes, carriers, schemas, "
        "tsa) or a command.")] = None,
) -> None:
    """Reference pages: the identity folder, config.toml, exit codes, schemas..."""
    if topic is None:
        out.print(topics.index(), end="")
        return
    text = topics.page(topic)
    if text is not None:
        out.print(text, end="")
        return
    root: Any = ctx.parent.command if ctx.parent is not None else None
    command = root.get_command(ctx, topic) if hasattr(root, "get_command") else None
    if command is None:
        err.print(f"error: no help topic or command {topic!r} "
                  f"(topics: {', '.join(topics.TOPICS)})")
        raise typer.Exit(EXIT_USAGE)
    with type(ctx)(command, info_name=topic, parent=ctx.parent) as sub:
        text = command.get_help(sub)  # typer's rich help prints itself, and returns ""
        if text:
            out.print(text, end="")


def _show_version(value: bool) -> None:
    if value:
        # Package metadata and constants only: --version never imports c2pa's native code.
        out.print(version_text(provenance.__version__))
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", help="Show the versions (tool, c2pa, schemas) and exit.", is_eager=True,
        callback=_show_version,
    )] = False,
) -> None:
    """Sign human-made files with C2PA Content Credentials and verify them.

    Start with `provenance identity create --name "Your Name"`, then `provenance sign FILE`
    and `provenance verify FILE`. `provenance help` lists the reference pages.
    """


# typer builds its commands on a click of its own (typer._click in recent versions), so the
# parameters are told apart by what they are, not by click's classes.


def _plain_metavar(param: Any) -> str:
    """A metavar as a person writes it: FILE, DIR, N, the choices, or the option's name."""
    name = str(param.name or "value")
    desc = getattr(param, "type_descriptor", None)  # typer >= 0.20; click's type before
    kind = getattr(param, "type", None)
    choices = getattr(desc, "choices", None) or getattr(kind, "choices", None)
    if choices:
        return "|".join(str(getattr(c, "value", c)) for c in choices)
    annotation = getattr(desc, "annotation", None)
    args = getattr(annotation, "__args__", None) or (annotation,)
    if getattr(desc, "is_path", False) or type(kind).__name__ == "Path" or Path in args:
        return "DIR" if "dir" in name else "FILE"
    if int in args or type(kind).__name__ == "IntParamType":
        return "N"
    return name.upper()


def plain_help(command: Any) -> Any:
    """Give every parameter of ``command`` (and its subcommands) a plain metavar, where none
    was chosen, instead of typer's Python types (``<list[Path]>``, ``<bool>``): flags show
    none, arguments read ``FILE...`` in the usage line and the help alike."""
    for param in command.params:
        if param.param_type_name == "option":
            if param.is_flag or param.count:
                param.metavar = ""  # a flag takes no value: show none
            elif param.metavar is None:
                param.metavar = _plain_metavar(param)
        elif param.param_type_name == "argument":
            if param.metavar is None:
                param.metavar = _plain_metavar(param) + ("..." if param.nargs == -1 else "")
            # typer lists an argument's Python type beside it and wraps it in {} in the usage
            # line; the metavar says it all.
            vars(param)["display_type_rich"] = _no_type
            vars(param)["_usage_display_name"] = _usage_name(param)
    _plain_help_option(command)
    for sub in getattr(command, "commands", {}).values():
        plain_help(sub)
    return command


def _plain_help_option(command: Any) -> None:
    """-h/--help is made when help is shown; it takes no value either."""
    made = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = made(ctx)
        if option is not None:
            option.metavar = ""
        return option

    vars(command)["get_help_option"] = get_help_option


def _no_type(*_: Any, **__: Any) -> None:
    return None


def _usage_name(param: Any) -> Any:
    name = str(param.metavar)
    return lambda: name if param.required else f"[{name}]"


def main() -> None:
    """Entry point: run the app; turn our errors into one line and an exit code."""
    try:
        plain_help(typer.main.get_command(app))(prog_name="provenance")
    except ProvenanceError as exc:
        err.print(f"error: {exc}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # never a traceback for the user
        if os.environ.get("PROVENANCE_DEBUG"):
            raise
        err.print(f"error: unexpected {type(exc).__name__}: {exc} "
                  "(rerun with PROVENANCE_DEBUG=1 and report it)")
        sys.exit(EXIT_OPERATIONAL)
