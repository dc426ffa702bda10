"""`paperlens token create | list | revoke`: API tokens, and each user's digest feed URL (--feed)."""

from __future__ import annotations

import time

import click

from .root import services, settings


@click.group()
def token():
    """Create, list and revoke API tokens (one per name; several may act for one user)."""


def _tokens():
    from ..domain.tokens import Tokens

    return Tokens.open(settings())


@token.command("create")
@click.argument("name")
@click.option("--user", default=None, help="The reading list the token acts for (default: NAME).")
@click.option("--admin", is_flag=True, help="Also allow changing what the whole server does (feeds).")
@click.option("--feed", is_flag=True, help="Instead of a token, the URL of the user's digest Atom feed: it opens "
                                           "that feed and nothing else, and replaces the user's previous feed URL.")
def token_create(name, user, admin, feed):
    """Print a new token named NAME (shown once; only its hash is stored). Creating NAME again
    replaces its token. Give each browser its own name for one user: `token create ext-firefox --user me`.
    With --feed, print the digest feed URL of the user NAME (or --user) instead."""
    from ..domain.errors import Invalid
    from ..domain.tokens import check_user_name

    if feed:
        if admin:
            raise click.ClickException("--feed and --admin do not go together: a feed URL opens one feed only")
        try:
            user = check_user_name(user or name)
        except Invalid as exc:
            raise click.ClickException(exc.message) from None
        from ..server.runtime import served_url

        config = settings()
        secret = services(config).for_you(user).create_feed_secret()
        click.echo(f"{served_url(config)}/api/v1/digest/{secret}")
        click.echo(f"digest feed URL for user {user!r} created (shown only this once; it replaces the previous one). "
                   "Behind a proxy, set PAPERLENS_PUBLIC_URL so links start with its address.", err=True)
        return
    try:
        value = _tokens().create(name, user=user, admin=admin)
    except Invalid as exc:
        raise click.ClickException(exc.message) from None
    click.echo(value)
    kind = "admin token" if admin else "token"
    click.echo(f"{kind} {name!r} for user {user or name!r} created; it is shown only this once", err=True)


@token.command("list")
def token_list():
    """Each token's name, the user it acts for, whether it is an admin token, and when it was made."""
    for info in _tokens().list():
        created = time.strftime('%Y-%m-%d %H:%M', time.localtime(info.created))
        click.echo(f"{info.name}\tuser {info.user}\t{'admin' if info.admin else '-'}\tcreated {created}")


@token.command("revoke")
@click.argument("name")
@click.option("--feed", is_flag=True, help="Revoke the digest feed URL of the user NAME instead.")
def token_revoke(name, feed):
    """Revoke the token named NAME at once (requests with it answer 401 from then on); with --feed,
    the digest feed URL of the user NAME."""
    if feed:
        from ..domain.errors import NotFound

        try:
            services(settings()).for_you(name).revoke_feed_secret()
        except NotFound:
            raise click.ClickException(f"user {name!r} has no digest feed URL") from None
        click.echo(f"revoked the digest feed URL of {name!r}")
        return
    if not _tokens().revoke(name):
        raise click.ClickException(f"no token named {name!r}")
    click.echo(f"revoked {name!r}")
