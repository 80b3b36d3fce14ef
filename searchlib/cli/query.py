"""``searchlib query`` and ``searchlib similar``: ranked hits with highlighted snippets."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from searchlib import Index, SearchResults, nearest_filter_values
from searchlib.cli._conventions import (
    EXIT_NOT_FOUND,
    F,
    LeadingDashCommand,
    color_option,
    snippet_format,
    use_color,
)
from searchlib.cli._options import index_options, open_for_reading

_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _shown(value: object, fmt: str) -> str:
    """A stored field as printed: a document's control characters (terminal escape
    sequences) never reach the terminal; in html format it is escaped like the snippet."""
    text = _CONTROL.sub("", " ".join(str(value).split()))
    return html.escape(text) if fmt == "html" else text


def _output_options(func: F) -> F:
    """``--format``, ``--color``, ``--json`` and ``--jsonl``, shared by the commands that
    print hits."""
    func = click.option(
        "--jsonl", "as_jsonl", is_flag=True, help="Print one hit per line as JSON (pipelines)."
    )(func)
    func = click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")(func)
    func = color_option(func)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["ansi", "plain", "html"]),
        help="Snippet markup (default: ansi when colour is on, else plain with [match]; "
        "ansi without colour falls back to plain).",
    )(func)


class _Output:
    """How hits are printed: the resolved colour, snippet markup and machine format."""

    def __init__(self, fmt: str | None, color: str, as_json: bool, as_jsonl: bool) -> None:
        if as_json and as_jsonl:
            raise click.UsageError("--json and --jsonl exclude each other")
        self.machine = "jsonl" if as_jsonl else "json" if as_json else None
        self.color = use_color(color) and self.machine is None
        self.fmt = snippet_format(fmt, self.color, machine=self.machine is not None)

    def echo(self, text: str = "", **kwargs: Any) -> None:
        click.echo(text, color=self.color, **kwargs)


def _limit_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--limit",
        "-n",
        default=10,
        show_default=True,
        type=click.IntRange(1, 1000),
        help=help_text,
    )


def _echo_results(results: SearchResults, out: _Output) -> None:
    for warning in results.warnings:
        click.echo(f"warning: partial results: {warning}", err=True)
    if out.machine == "json":
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False, default=str))
        return
    if out.machine == "jsonl":
        for hit in results.hits:
            click.echo(json.dumps(hit.to_dict(), ensure_ascii=False, default=str))
        return
    fmt, echo = out.fmt, out.echo
    bold, dim, reset = (_BOLD, _DIM, _RESET) if fmt == "ansi" else ("", "", "")
    if results.fallback:
        echo("No document has all the words; showing documents with any of them.")
    if results.suggestion:
        echo(f"Did you mean: {results.suggestion}")
    first = (results.page - 1) * results.limit + 1
    last = first + len(results.hits) - 1
    if results.hits:
        echo(f"{first}-{last} of {results.total} hits ({results.took_ms:.1f} ms)\n")
    elif results.total and results.page > results.pages:
        echo(
            f"page {results.page} of {results.pages}: past the last page "
            f"({results.total} hit{'' if results.total == 1 else 's'}; "
            f"the last is --page {results.pages})"
        )
    else:
        echo(f"0 of {results.total} hits ({results.took_ms:.1f} ms)\n")
    for hit in results.hits:
        date = hit.date
        meta = [
            date.strftime("%Y-%m-%d") if isinstance(date, datetime) else None,
            hit.fields.get("source"),
            hit.fields.get("category"),
            hit.url,
        ]
        title = _shown(hit.title or hit.id, fmt)
        echo(f"{hit.rank}. {bold}{title}{reset}  {dim}[{hit.score:.2f}]{reset}")
        line = " · ".join(_shown(m, fmt) for m in meta if m)
        if line:
            echo(f"   {dim}{line}{reset}")
        if hit.duplicates:
            echo(f"   {dim}{_versions(hit.duplicates)}{reset}")
        echo(f"   {hit.snippet}\n")
    if results.total > results.page * results.limit:
        echo(f"page {results.page} of {results.pages}; next: --page {results.page + 1}")


def _versions(ids: tuple[str, ...]) -> str:
    """The other versions of a story, as one line (``--no-collapse`` shows them as hits)."""
    return f"{len(ids)} other version{'s' if len(ids) > 1 else ''}: " + ", ".join(ids)


def _filter_hints(ix: Index, text: str, filters: dict[str, list[str]], **search: Any) -> None:
    """On no hits: for each filter value that matches nothing among the query's matches,
    the nearest values that do (``--category ekonomi`` -> "ekonomi & keuangan")."""
    for name, wanted in filters.items():
        others = {k: v for k, v in filters.items() if k != name}
        near = nearest_filter_values(ix, text, name, wanted, filters=others, **search)
        if near:
            listed = ", ".join(f'"{v}"' for v in near)
            click.echo(
                f"no hits with --{name} {' / '.join(wanted)}; did you mean {listed}?", err=True
            )


@click.command(cls=LeadingDashCommand)
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
@click.option(
    "--collapse/--no-collapse",
    default=None,
    help="One hit per story, listing the other versions' ids (default: the config's "
    "duplicates.collapse, on unless set off).",
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
    collapse: bool | None,
    fmt: str | None,
    color: str,
    as_json: bool,
    as_jsonl: bool,
) -> None:
    """Search for TEXT: keywords must all match (any word if none has them all); prose (4+
    words, or a question) is ranked by any of its words.

    Supports "phrases", OR, NOT / -word, field:word, date:2022-03-01..2022-03-31,
    prefix* and fuzzy~. With --plain, TEXT is taken literally and ranked by any word.
    A query that starts with "-" goes after "--": searchlib query -- "-harga beras".
    Exits 0 with hits, 1 with none, 2 on an error.
    """
    filters: dict[str, list[str]] = {}
    if category:
        filters["category"] = list(category)
    if source:
        filters["source"] = list(source)
    out = _Output(fmt, color, as_json, as_jsonl)
    search: dict[str, Any] = {
        "fields": list(fields) or None,
        "since": since,
        "until": until,
        "syntax": "plain" if plain else "auto",
    }
    if collapse is not None:
        search["collapse"] = collapse
    with open_for_reading(index_path, config_path) as ix:
        results = ix.search(
            text,
            limit=limit,
            page=page,
            filters=filters,
            sort=sort,
            snippet_format=out.fmt,
            **search,
        )
        if filters and not results.hits and results.total == 0:
            _filter_hints(ix, text, filters, **search)
    _echo_results(results, out)
    if not results.hits:
        raise click.exceptions.Exit(EXIT_NOT_FOUND)


@click.command(cls=LeadingDashCommand)
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
    color: str,
    as_json: bool,
    as_jsonl: bool,
) -> None:
    """Show the documents most similar to the one with DOC_ID (exit 1 when none is)."""
    out = _Output(fmt, color, as_json, as_jsonl)
    with open_for_reading(index_path, config_path) as ix:
        results = ix.similar(doc_id, limit=limit, snippet_format=out.fmt)
    _echo_results(results, out)
    if not results.hits:
        raise click.exceptions.Exit(EXIT_NOT_FOUND)
