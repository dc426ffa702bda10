"""`paperlens digest`: the papers new to the corpus, closest to a user's reading list first."""

from __future__ import annotations

import textwrap

import click

from .root import FIRST_RUN_TOKEN, services, settings


@click.command()
@click.option("--user", default=FIRST_RUN_TOKEN, show_default=True, help="Whose reading list ranks the papers.")
@click.option("--days", type=click.IntRange(1, 30), default=1, show_default=True,
              help="Papers that joined the corpus in the last DAYS × 24 hours.")
@click.option("-k", "--k", "k", type=click.IntRange(1, 100), default=20, show_default=True, help="How many to show.")
@click.option("--tag", default=None, help="Rank against the saved papers with this tag only.")
def digest(user, days, k, tag):
    """Print the papers new to the corpus, closest to USER's reading list first, with their TL;DRs."""
    from ..domain.for_you import entry_paragraphs

    answer = services(settings()).for_you(user).digest(days, k, tag)
    saved = answer["based_on"]
    basis = f"ranked by {saved} saved paper{'s' if saved != 1 else ''}" if saved else "newest first (nothing saved)"
    click.echo(f"{answer['new_papers']} papers joined the corpus since {answer['since']}; {basis}")
    for n, result in enumerate(answer["results"], 1):
        click.echo(f"\n{n:>2}. [{result['score']:.0f}] {result['title']}")
        click.echo(f"    {result.get('url') or result['id']}")
        for line in entry_paragraphs(result)[1:]:  # the score is on the title's line
            click.echo(textwrap.fill(line, width=100, initial_indent="    ", subsequent_indent="    "))
