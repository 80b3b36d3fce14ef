"""``searchlib analyze``: show how text is tokenized, normalized and stemmed."""

from __future__ import annotations

import json

import click

import searchlib


@click.command()
@click.argument("text")
@click.option("--analyzer", "-a", default="indonesian", show_default=True,
              help="Analyzer name (see analyzers/*.yaml).")
@click.option("--json", "as_json", is_flag=True, help="Print the tokens as JSON.")
def analyze(text: str, analyzer: str, as_json: bool) -> None:
    """Print each token of TEXT with its position, character offsets and indexed term."""
    tokens = searchlib.analyze_tokens(text, analyzer=analyzer)
    if as_json:
        click.echo(json.dumps([t._asdict() for t in tokens], ensure_ascii=False))
        return
    for t in tokens:
        click.echo(f"{t.position:>4}  {t.start:>5}-{t.end:<5}  {t.surface:<24} {t.term}")
