"""``searchlib analyze``: show how text is tokenized, normalized and stemmed."""

from __future__ import annotations

import json

import click

import searchlib


@click.command()
@click.argument("text")
@click.option(
    "--analyzer",
    "-a",
    default="indonesian",
    show_default=True,
    help="Analyzer name (see analyzers/*.yaml).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the tokens as a JSON array.")
def analyze(text: str, analyzer: str, as_json: bool) -> None:
    """Print each token of TEXT with its position, character offsets and indexed term.

    Offsets index TEXT as given (end exclusive); stopwords are left out.
    """
    tokens = searchlib.analyze_tokens(text, analyzer=analyzer)
    if as_json:
        click.echo(json.dumps([t._asdict() for t in tokens], ensure_ascii=False))
        return
    if not tokens:
        click.echo("no terms: the text has only stopwords, punctuation or spaces", err=True)
        return
    width = max(len(t.surface) for t in tokens)
    click.echo(f"{'pos':>4}  {'start-end':<11}  {'surface':<{width}}  term")
    for t in tokens:
        span = f"{t.start}-{t.end}"
        click.echo(f"{t.position:>4}  {span:<11}  {t.surface:<{width}}  {t.term}")
