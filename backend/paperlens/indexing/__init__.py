"""Keeping ranking's inputs current, between the domain and the store: the live index (a snapshot
plus a delta of new papers, read from the corpus log in Redis) and the summaries' cache. The
scorers themselves live in ranking/, which does no I/O."""
