"""The ``searchlib`` command: a thin click layer over the library API.

Each command lives in its own module and only calls the public API; errors the library
raises on purpose become one readable line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from searchlib._version import __version__
from searchlib.errors import QueryError, SearchlibError

#: Exit code for a bad query or bad usage (click uses 2 for usage errors too).
EXIT_USAGE = 2


class SearchlibCLIError(click.ClickException):
    """A library error shown as ``Error: message`` plus an optional hint line."""

    def __init__(self, error: SearchlibError) -> None:
        message = str(error)
        if error.hint:
            message = f"{message} (hint: {error.hint})"
        super().__init__(message)


class QueryCLIError(SearchlibCLIError):
    """A bad query exits like bad usage."""

    exit_code = EXIT_USAGE


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SearchlibError as error:
            kind = QueryCLIError if isinstance(error, QueryError) else SearchlibCLIError
            raise kind(error) from None
        except KeyboardInterrupt:
            click.echo("Interrupted; the index keeps its last commit.", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (`searchlib query ... | head`): nothing left to say, and
            # Python must not complain again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as error:  # a bug: still one line, traceback on request
            if os.environ.get("SEARCHLIB_DEBUG"):
                raise
            raise click.ClickException(
                f"internal error: {type(error).__name__}: {error} "
                "(set SEARCHLIB_DEBUG=1 for a traceback and please report it)"
            ) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="searchlib")
def cli() -> None:
    """Full-text search for Indonesian news articles.

    With no index configured, query commands use the built-in sample articles.
    """


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="searchlib")


# Commands in help order; each module holds one concern.
from searchlib.cli import analyze as _analyze  # noqa: E402
from searchlib.cli import check as _check  # noqa: E402
from searchlib.cli import cluster as _cluster  # noqa: E402
from searchlib.cli import evaluate as _evaluate  # noqa: E402
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
    _check.check,
    _analyze.analyze,
    _evaluate.evaluate_cmd,
    _serve.serve,
    _cluster.cluster,
):
    cli.add_command(_command)
