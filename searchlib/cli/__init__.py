"""The ``searchlib`` command: a thin click layer over the library API.

Each command lives in its own module and only calls the public API; errors the library
raises on purpose become one readable line on stderr and exit code 2 (grep's "trouble"; 1
means "found nothing", see :mod:`searchlib.cli._conventions` and docs/cli.md).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from searchlib import IndexLockedError, SearchlibError, __version__
from searchlib.cli._conventions import EXIT_BROKEN_PIPE, EXIT_ERROR, EXIT_INTERRUPTED

#: The library's hint for a lock timeout names its attribute; on the command line it is this.
LOCK_HINT = "wait for the other writer to finish, or wait longer: --lock-timeout SECONDS"


class CLIError(click.ClickException):
    """An error shown as ``Error: message``; its exit code is grep's "trouble"."""

    exit_code = EXIT_ERROR


class SearchlibCLIError(CLIError):
    """A library error shown as ``Error: message`` plus an optional hint line."""

    def __init__(self, error: SearchlibError) -> None:
        message = str(error)
        hint = LOCK_HINT if isinstance(error, IndexLockedError) else error.hint
        if hint:
            message = f"{message} (hint: {hint})"
        super().__init__(message)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SearchlibError as error:
            raise SearchlibCLIError(error) from None
        except KeyboardInterrupt:
            click.echo("Interrupted; the index keeps its last commit.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # The reader went away (`searchlib query ... | head`): nothing left to say, and
            # Python must not complain again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_BROKEN_PIPE)
        except click.ClickException as error:
            # Every error is grep's "trouble", also those a command raises itself.
            if error.exit_code < EXIT_ERROR:
                raise CLIError(error.format_message()) from None
            raise
        except (click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as error:  # a bug: still one line, traceback on request
            if os.environ.get("SEARCHLIB_DEBUG"):
                raise
            raise CLIError(
                f"internal error: {type(error).__name__}: {error} "
                "(set SEARCHLIB_DEBUG=1 for a traceback and please report it)"
            ) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="searchlib")
def cli() -> None:
    """Full-text search for Indonesian news articles.

    With no index configured, query commands use the built-in sample articles.

    Exit codes, as grep: 0 found, 1 nothing found, 2 an error. NO_COLOR turns colour off.
    """


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="searchlib")


# Commands in help order; each module holds one concern.
from searchlib.cli import analyze as _analyze  # noqa: E402
from searchlib.cli import check as _check  # noqa: E402
from searchlib.cli import cluster as _cluster  # noqa: E402
from searchlib.cli import evaluate as _evaluate  # noqa: E402
from searchlib.cli import export as _export  # noqa: E402
from searchlib.cli import index as _index  # noqa: E402
from searchlib.cli import manage as _manage  # noqa: E402
from searchlib.cli import query as _query  # noqa: E402
from searchlib.cli import serve as _serve  # noqa: E402

for _command in (
    _query.query,
    _index.index_cmd,
    _query.similar,
    _manage.stats,
    _manage.delete,
    _export.export,
    _export.reindex,
    _check.check,
    _analyze.analyze,
    _evaluate.evaluate_cmd,
    _serve.serve,
    _cluster.cluster,
):
    cli.add_command(_command)
