"""``searchlib query`` and ``searchlib similar``: ranked hits with highlighted snippets."""

from __future__ import annotations

import html
import json
import re
import sys
from datetime import datetime
from pathlib import Path

import click

from searchlib import SearchResults
from searchlib.cli._options import index_options, open_for_reading

_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _shown(value: object, fmt: str) -> str:
    """A stored field as printed: a document's control characters (terminal escape
    sequences) never reach the terminal; in html format it is escaped like the snippet."""
    text = _CONTROL.sub("", " ".join(str(value).split()))
    return html.escape(text) if fmt == "html" else text


def _output_options(func):
    """``--format`` and ``--json``, shared by the commands that print hits."""
    func = click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")(func)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["ansi", "plain", "html"]),
        help="Snippet markup (default: ansi colors on a terminal, plain otherwise).",
    )(func)


def _limit_option(help_text: str):
    return click.option(
        "--limit",
        "-n",
        default=10,
        show_default=True,
        type=click.IntRange(1, 1000),
        help=help_text,
    )


def _echo_results(results: SearchResults, fmt: str, as_json: bool) -> None:
    for warning in results.warnings:
        click.echo(f"warning: partial results: {warning}", err=True)
    if as_json:
        data = results.to_dict()
        click.echo(json.dumps(data, ensure_ascii=False, default=str))
        return
    color = fmt == "ansi"
    bold, dim, reset = (_BOLD, _DIM, _RESET) if color else ("", "", "")
    if results.fallback:
        click.echo("No document has all the words; showing documents with any of them.")
    if results.suggestion:
        click.echo(f"Did you mean: {results.suggestion}")
    first = (results.page - 1) * results.limit + 1
    last = first + len(results.hits) - 1
    shown = f"{first}-{last} of {results.total}" if results.hits else f"0 of {results.total}"
    click.echo(f"{shown} hits ({results.took_ms:.1f} ms)\n")
    for hit in results.hits:
        date = hit.date
        meta = [
            date.strftime("%Y-%m-%d") if isinstance(date, datetime) else None,
            hit.fields.get("source"),
            hit.fields.get("category"),
            hit.url,
        ]
        title = _shown(hit.title or hit.id, fmt)
        click.echo(f"{hit.rank}. {bold}{title}{reset}  {dim}[{hit.score:.2f}]{reset}")
        line = " · ".join(_shown(m, fmt) for m in meta if m)
        if line:
            click.echo(f"   {dim}{line}{reset}")
        click.echo(f"   {hit.snippet}\n")
    if results.total > results.page * results.limit:
        click.echo(f"page {results.page} of {results.pages}; next: --page {results.page + 1}")


def _resolve_format(fmt: str | None) -> str:
    if fmt:
        return fmt
    return "ansi" if sys.stdout.isatty() else "plain"


@click.command()
@click.argument("text")
@index_options
@_limit_option("Hits per page.")
@click.option(
    "--page",
    "-p",
    default=1,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Page number.",
)
@click.option(
    "--field",
    "fields",
    multiple=True,
    help="Search only this field (repeatable; default: title and body).",
)
@click.option("--category", multiple=True, help="Only this category (repeatable: any of them).")
@click.option("--source", multiple=True, help="Only this source (repeatable: any of them).")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published on or before this date (YYYY-MM-DD).")
@click.option(
    "--sort",
    default="score",
    show_default=True,
    type=click.Choice(["score", "date"]),
    help="Rank by relevance or newest first.",
)
@click.option(
    "--plain",
    is_flag=True,
    help="TEXT is prose (a question, a sentence): no operators, ranked by any of its words.",
)
@_output_options
def query(
    text: str,
    index_path: Path | None,
    config_path: Path | None,
    limit: int,
    page: int,
    fields: tuple[str, ...],
    category: tuple[str, ...],
    source: tuple[str, ...],
    since: str | None,
    until: str | None,
    sort: str,
    plain: bool,
    fmt: str | None,
    as_json: bool,
) -> None:
    """Search for TEXT: all words must match (any word if none has them all).

    Supports "phrases", OR, NOT / -word, field:word, date:2022-03-01..2022-03-31,
    prefix* and fuzzy~. With --plain, TEXT is taken literally and ranked by any word.
    """
    filters: dict[str, list[str]] = {}
    if category:
        filters["category"] = list(category)
    if source:
        filters["source"] = list(source)
    fmt = _resolve_format(fmt)
    with open_for_reading(index_path, config_path) as ix:
        results = ix.search(
            text,
            limit=limit,
            page=page,
            fields=list(fields) or None,
            filters=filters,
            since=since,
            until=until,
            sort=sort,
            snippet_format=fmt,
            syntax="plain" if plain else "query",
        )
    _echo_results(results, fmt, as_json)


@click.command()
@click.argument("doc_id")
@index_options
@_limit_option("How many similar documents.")
@_output_options
def similar(
    doc_id: str,
    index_path: Path | None,
    config_path: Path | None,
    limit: int,
    fmt: str | None,
    as_json: bool,
) -> None:
    """Show the documents most similar to the one with DOC_ID."""
    fmt = _resolve_format(fmt)
    with open_for_reading(index_path, config_path) as ix:
        results = ix.similar(doc_id, limit=limit, snippet_format=fmt)
    _echo_results(results, fmt, as_json)
