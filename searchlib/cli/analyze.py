"""``searchlib analyze``: show how text is tokenized, normalized and stemmed."""

from __future__ import annotations

import json
from pathlib import Path

import click

import searchlib
from searchlib.cli._conventions import LeadingDashCommand
from searchlib.cli._options import index_options, load


@click.command(cls=LeadingDashCommand)
@click.argument("text")
@click.option(
    "--analyzer",
    "-a",
    help="Analyzer name (see analyzers/*.yaml; default: indonesian, or the index's own).",
)
@index_options
@click.option(
    "--field",
    default="body",
    show_default=True,
    help="With --index or --config: the text field whose analysis is shown.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the tokens as a JSON array.")
def analyze(
    text: str,
    analyzer: str | None,
    index_path: Path | None,
    config_path: Path | None,
    field: str,
    as_json: bool,
) -> None:
    """Print each token of TEXT with its position, character offsets and indexed term.

    With --index DIR (or --config FILE) the analysis is that index's own: its analyzer,
    stopword changes and protected words for --field. Offsets index TEXT as given (end
    exclusive); stopwords are left out.
    """
    if analyzer and (index_path or config_path):
        raise click.UsageError("--analyzer names an analyzer; --index/--config use their own")
    if index_path is not None:
        with searchlib.Index.open(index_path, load(config_path) if config_path else None) as ix:
            tokens = ix.analyze(text, field)
    elif config_path is not None:
        tokens = searchlib.analyze_field(load(config_path), text, field)
    else:
        tokens = searchlib.analyze_tokens(text, analyzer=analyzer or "indonesian")
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
