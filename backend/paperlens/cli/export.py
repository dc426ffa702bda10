"""`paperlens export USER`: a reading list as BibTeX, CSV or JSON, written as the API's export writes it."""

from __future__ import annotations

from pathlib import Path

import click

from ..domain.library import EXPORT_FORMATS
from .root import services, settings


@click.command()
@click.argument("user")
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="bibtex", show_default=True)
@click.option("--tag", default=None, help="Only the entries with this tag.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default="-",
              help="File to write (default: standard output).")
def export(user, fmt, tag, output):
    """Write USER's reading list (the user a token acts for, e.g. 'local') as BibTeX, CSV or JSON."""
    library = services(settings()).library(user)
    if not library.has_owner():
        raise click.ClickException(f"no reading list for user {user!r}: no token acts for that user "
                                   "(`paperlens token list` shows the users)")
    exported = library.export(fmt, tag=tag)
    if output == "-":
        click.echo(exported.text, nl=False)
    else:
        Path(output).write_text(exported.text, encoding="utf-8")
    click.echo(f"exported {exported.entries} entries of {user!r}", err=True)
