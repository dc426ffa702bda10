"""`paperlens serve`: the command and its options; what it starts and stops is in serving.py."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1, or PAPERLENS_HOST).")
@click.option("--port", type=int, default=None, help="Port (default 8420, or PAPERLENS_PORT).")
@click.option("--workers", type=int, default=None, help="gunicorn worker processes (default 2).")
def serve(host, port, workers):
    """Run the API with gunicorn; with no PAPERLENS_REDIS_URL, on an embedded Redis."""
    from .serving import run

    run(host=host, port=port, workers=workers)
