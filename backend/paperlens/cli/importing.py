"""`paperlens import zotero`: a Zotero library read into a reading list."""

from __future__ import annotations

import os

import click

from .root import FIRST_RUN_TOKEN, services, settings


@click.group("import")
def import_group():
    """Read a reading list from elsewhere into Paperlens."""


@import_group.command("zotero")
@click.option("--user", default=FIRST_RUN_TOKEN, show_default=True, help="Whose reading list the items join.")
@click.option("--web-user", "web_user", default=None, metavar="ID",
              help="Read the zotero.org library of this user id (the web API) instead of the desktop app's. "
                   "The API key is read from ZOTERO_API_KEY, or asked for (never a command-line argument).")
def import_zotero(user, web_user):
    """Read a Zotero library (Zotero 7's local API, or the web API with --web-user) into USER's
    reading list: matched to corpus papers by arXiv id, DOI or title, the rest added as papers,
    with their Zotero tags. Running it again saves nothing twice."""
    from ..domain.errors import DomainError
    from ..domain.zotero_import import import_zotero as run_import, library_for

    config = settings()
    key = None
    if web_user:
        key = os.environ.get("ZOTERO_API_KEY") or click.prompt("Zotero API key", hide_input=True)
    svc = services(config)
    try:
        answer = run_import(svc.library(user), library_for(config, "web" if web_user else "local", web_user, key))
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(answer["summary"])
    click.echo(f"{answer['matched']} matched papers in the corpus, {answer['added']} added to it", err=True)
