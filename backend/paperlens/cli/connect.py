"""`paperlens connect`: a one-time link and code that connect the browser extension (`serve`
prints one too, with the same words)."""

from __future__ import annotations

import click

from .root import FIRST_RUN_TOKEN, services, settings


def print_connect_link(svc, user: str, base_url: str) -> None:
    """Print a one-time connect link and its code (for the serving user's eyes only: it is never
    written anywhere else)."""
    from ..domain.pairing import TTL_SECONDS

    code = svc.pairing.issue(user).code
    click.echo(f"\nConnect the browser extension (open the link, then confirm in the extension; works once, "
               f"for {TTL_SECONDS // 60} minutes):\n\n"
               f"    {base_url}/connect#code={code}\n\n"
               f"or type the code {code} in the extension's options. `paperlens connect` prints a new one.\n")


@click.command()
@click.option("--user", default=FIRST_RUN_TOKEN, show_default=True, help="Whose reading list the extension will use.")
def connect(user):
    """Print a one-time link and code that connect the browser extension to this server."""
    from ..domain.errors import Invalid
    from ..domain.tokens import check_user_name

    try:
        check_user_name(user)
    except Invalid as exc:
        raise click.ClickException(exc.message) from None
    from ..server.runtime import served_url

    config = settings()
    print_connect_link(services(config), user, served_url(config))
