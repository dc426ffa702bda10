"""`paperlens model fetch | show`: the semantic signal's model, fetched once into the data folder
(or named by PAPERLENS_EMBED_MODEL for an offline install)."""

from __future__ import annotations

import click

from ..embedding.model_files import DEFAULT_NAME, ModelCard, is_complete, model_folder, runtime_installed, why_unavailable
from ..settings import Settings


@click.group()
def model():
    """The embedding model behind related-by-meaning (pip install 'paperlens[semantic]')."""


@model.command()
@click.option("--force", is_flag=True, help="Download again even if the model is in place.")
def fetch(force):
    """Download the default model (all-MiniLM-L6-v2, about 90 MB) into the data folder, checking
    every file against the pinned checksum; PAPERLENS_EMBED_MODEL_URL says where from."""
    from ..embedding.fetch import FetchRefused, fetch_model

    settings = Settings.from_env()
    if settings.embed_model:
        raise click.ClickException(f"PAPERLENS_EMBED_MODEL names a folder of your own ({settings.embed_model}): "
                                   "nothing to fetch; unset it to use the default model")
    folder = model_folder(settings)
    if is_complete(folder) and not force:
        click.echo(f"{DEFAULT_NAME} is in place in {folder} (--force downloads it again)")
        return
    bars: dict = {}

    def progress(name: str, done: int, total: int | None) -> None:
        bar = bars.get(name)
        if bar is None:
            bar = bars[name] = click.progressbar(length=total or 0, label=name, show_pos=total is not None)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        card = fetch_model(settings.embed_model_url, settings.embed_model_sha256, folder, progress)
    except FetchRefused as exc:
        raise click.ClickException(f"model not installed: {exc}") from None
    finally:
        for bar in bars.values():
            bar.__exit__(None, None, None)
    click.echo(f"{card.name} ({card.dim}-dimensional vectors) checked and installed in {folder}")
    if not runtime_installed():
        click.echo("install the runtime too: pip install 'paperlens[semantic]'")
    click.echo("`paperlens serve` now fills the papers' vectors in the background (`paperlens status` shows it)")


@model.command()
def show():
    """Which model the server would use, and whether the signal is on."""
    settings = Settings.from_env()
    folder = model_folder(settings)
    why_off = why_unavailable(settings)
    if why_off:
        click.echo(f"related by meaning: off ({why_off}); rankings are BM25 alone")
    else:
        card = ModelCard.read(folder)
        click.echo(f"related by meaning: on, {card.name} ({card.dim}-dimensional vectors) from {folder}")


COMMANDS = [model]
