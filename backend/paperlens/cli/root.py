"""The `paperlens` group itself: its -v option, one line instead of a traceback when a setting or
Redis fails, and the settings and services every command opens."""

from __future__ import annotations

import logging

import click

from ..settings import Settings

FIRST_RUN_TOKEN = "local"  # the name and user of the token `paperlens serve` makes on its first run


def settings(**overrides) -> Settings:
    return Settings.from_env(**overrides)


def services(settings: Settings):
    from ..services import Services

    return Services.create(settings)


class PaperlensCommands(click.Group):
    """Redis settings and outages end a command with one line that says so, not a traceback."""

    def invoke(self, ctx):
        from ..domain.errors import BadRedisUrl, StoreUnavailable
        from ..settings import BadSetting
        from ..store.embedded import UnsafeDataFolder  # the embedded-Redis launcher's own refusal

        try:
            return super().invoke(ctx)
        except (BadSetting, UnsafeDataFolder) as exc:
            raise click.ClickException(str(exc)) from None
        except BadRedisUrl as exc:
            raise click.ClickException(f"PAPERLENS_REDIS_URL: {exc}") from None
        except StoreUnavailable as exc:
            raise click.ClickException(f"Redis is unavailable: {exc}") from None


@click.group(cls=PaperlensCommands)
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """Paperlens: related papers, summaries and reading lists from your own server."""
    # A command prints its own human lines; log lines only for warnings, or with -v.
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
