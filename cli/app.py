"""The root ``provenance`` app: ``--version``, ``help TOPIC``, the registered verbs, plain help
text, and the ``main()`` handler."""

# Human output goes to stderr (one ``OK``/``FAIL`` line per file), machine output to stdout
# (``--json`` one document, ``--jsonl`` one line per file). Exit codes: 0 all passed, 1 a
# verification or policy failed, 2 bad usage or unreadable input, 3 operational failure.

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core

from .common import EXIT_USAGE, err, out

#: -h as well as --help, on every command (click passes it down to subcommands).
CONTEXT = {"help_option_names": ["-h", "--help"]}


# -- the verbs, loaded only when used ---------------------------------------------------------
#
# `provenance verify x.jpg` imports cli/verify.py and what it needs, never the other verbs'
# modules (nor c2pa for --help). A verb is one line below: its name and "module:attribute" in
# this package, the attribute being a plain typer command function or a typer.Typer group.
# Registration order is the order of `provenance --help`: commands, then groups.

#: verb name -> "module:attribute" (relative to this package).
VERBS: dict[str, str] = {}


def verb(name: str, target: str) -> None:
    """Register the verb ``name``, implemented by ``target`` ("module:attribute" in cli/)."""
    VERBS[name] = target


verb("sign", "sign:sign_cmd")
verb("strip", "sign:strip_cmd")
verb("verify", "verify:verify_cmd")
verb("inspect", "verify:inspect_cmd")
verb("serve", "serve:serve_cmd")
verb("doctor", "doctor:doctor_cmd")
verb("publish", "publish:publish_cmd")
verb("help", "app:help_cmd")
verb("identity", "identity:identity_app")
verb("trust", "trust:trust_app")
verb("tsa", "tsa:tsa_app")
verb("registry", "registry:registry_app")


def load_verb(name: str) -> Any:
    """The click command of verb ``name`` (its module imported now), or None if unknown."""
    target = VERBS.get(name)
    if target is None:
        return None
    module, _, attribute = target.partition(":")
    impl = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
    # Built as typer builds a registered verb: inside a parent (no completion options).
    parent = typer.Typer(add_completion=False, context_settings=CONTEXT)
    parent.callback()(_nothing)
    if isinstance(impl, typer.Typer):
        parent.add_typer(impl, name=name)
    else:
        parent.command(name)(impl)
    return plain_help(typer.main.get_command(parent).commands[name])  # type: ignore[attr-defined]


def _nothing() -> None:
    """The callback that makes load_verb's parent a group."""


class LazyGroup(typer.core.TyperGroup):
    """The root command: lists every registered verb and builds one only when it is needed
    (invoked, completed, or listed by --help)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*VERBS, *(n for n in super().list_commands(ctx) if n not in VERBS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = self.commands.get(cmd_name)
        if command is None:
            command = load_verb(cmd_name)
            if command is not None:
                self.commands[cmd_name] = command
        return command


app = typer.Typer(
    name="provenance",
    help="Sign human-made files with C2PA Content Credentials and verify them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion (the calling shell)
    context_settings=CONTEXT,
    cls=LazyGroup,
)


def help_cmd(
    ctx: typer.Context,
    topic: Annotated[str | None, typer.Argument(
        metavar="TOPIC", show_default=False,
        help="A topic (identity, trust, config, environment, exit-codes, carriers, schemas, "
        "tsa) or a command.")] = None,
) -> None:
    """Reference pages: the identity folder, config.toml, exit codes, schemas..."""
    from . import topics

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
        import provenance
        from provenance._versions import version_text

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
            vars(param)["display_type_rich"] = _no_type  # typer 0.29
            vars(param)["_usage_display_name"] = _usage_name(param)
            usage = _usage_name(param)  # typer 0.26-0.28
            vars(param)["get_usage_pieces"] = lambda _ctx, usage=usage: [usage()]
            if not isinstance(param.type, type):
                vars(param.type)["get_metavar"] = lambda *_, **__: ""
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
    from .guard import guarded

    guarded(lambda: plain_help(typer.main.get_command(app))(prog_name="provenance"))
