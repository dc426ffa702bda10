"""What a reading-list entry and an import may hold: checked by the request schemas, enforced
atomically by the store's scripts."""

MAX_TAGS = 50  # tags on one entry
MAX_TAG = 64  # characters in one tag
MAX_NOTE = 10_000  # characters in a note
MAX_IMPORT = 10_000  # entries in one import
# Bytes of one import: a whole Zotero library, abstracts included. The most a POST /library/import body
# may hold (api/body_limits.py) and the most one page read from Zotero may (sync/zotero_reader.py).
MAX_IMPORT_BYTES = 16 * 1024 * 1024
