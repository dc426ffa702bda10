"""The `paperlens` command, one module per command or group of commands:

    serve                  run the API on gunicorn (serve.py; what it starts and stops: serving.py)
    connect                a one-time link and code for the browser extension (connect.py)
    token                  create | list | revoke API tokens and digest feed URLs (tokens.py)
    ingest, reindex,       papers from files, the index snapshot, every paper's summary, papers a
    summarize, doctor      stopped writer left unfinished (corpus.py)
    status                 the corpus, the index, summaries ahead, the semantic signal, the feeds (status.py)
    digest                 new papers, closest to a reading list first (digest.py)
    export                 a reading list as BibTeX, CSV or JSON (export.py)
    import zotero          a Zotero library into a reading list (importing.py)
    sync, feeds            fetch from an upstream once; follow sources on a schedule (sync.py)
    model                  fetch | show the semantic signal's model (model.py)

Every command reads the same Settings as the server (PAPERLENS_* variables), so a command run
beside a running `paperlens serve` talks to the same Redis and index folder. Commands call the
domain layer (domain/), as the API does; none imports the store, the ranking or the reading-list
formats, except that `serve` starts the embedded Redis (store/embedded.py).
"""

from . import connect, corpus, digest, export, importing, model, serve, status, sync, tokens
from .root import main

__all__ = ["main"]

for _command in (serve.serve, connect.connect, tokens.token, corpus.ingest, corpus.reindex, corpus.summarize,
                 corpus.doctor, status.status, digest.digest, export.export, importing.import_group,
                 *sync.COMMANDS, *model.COMMANDS):
    main.add_command(_command)
