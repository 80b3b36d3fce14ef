"""Unix conventions shared by the commands: colour, exit codes, ``--`` before a leading dash.

docs/cli.md lists them for users; this module is where they are decided, once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

#: Exit codes, as grep and ripgrep use them.
EXIT_FOUND = 0
EXIT_NOT_FOUND = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

COLOR_CHOICES = ("auto", "always", "never")


def color_option(func: F) -> F:
    """``--color auto|always|never``."""
    return click.option(
        "--color",
        "color",
        default="auto",
        show_default=True,
        type=click.Choice(COLOR_CHOICES),
        help="Highlight matches with terminal colours: auto means only on a terminal and "
        "only when NO_COLOR is unset; always keeps them through a pipe (less -R).",
    )(func)


def use_color(choice: str) -> bool:
    """Whether stdout gets colour. An explicit ``always``/``never`` wins over ``NO_COLOR``
    (as no-color.org asks); ``auto`` means a terminal and no ``NO_COLOR``."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def snippet_format(fmt: str | None, color: bool, *, machine: bool = False) -> str:
    """The snippet markup to ask the library for.

    ansi needs colour: without it the escape codes would be stripped and nothing would mark
    the matches, so plain (``[match]``) takes its place. Machine output (``--json``,
    ``--jsonl``) never carries escape codes.
    """
    if fmt is None:
        fmt = "ansi" if color and not machine else "plain"
    if fmt == "ansi" and (machine or not color):
        return "plain"
    return fmt


class LeadingDashCommand(click.Command):
    """A command whose argument may start with ``-`` (a query ``-harga``, an id): after
    ``--`` it is an argument as usual; without it, click's "No such option" gets a hint."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # click's parser consumes the list it is handed
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as error:
            word = _unknown_dashed(self, ctx, given) or error.option_name
            usage = f"{ctx.command_path} [OPTIONS] -- {_quoted(word)}"
            raise click.UsageError(
                f"No such option: {word}. An argument that starts with '-' goes after "
                f"'--': {usage}",
                ctx,
            ) from None


def _unknown_dashed(command: click.Command, ctx: click.Context, args: list[str]) -> str | None:
    known = {opt for p in command.get_params(ctx) for opt in (*p.opts, *p.secondary_opts)}
    for arg in args:
        if arg == "--":
            return None
        if arg.startswith("-") and arg.split("=", 1)[0] not in known:
            return arg
    return None


def _quoted(word: str) -> str:
    return f'"{word}"' if " " in word or "'" in word else f"'{word}'"
