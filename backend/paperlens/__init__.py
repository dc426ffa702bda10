"""Paperlens: a self-hosted related-work companion (BM25 related papers, summaries, reading lists)."""

__version__ = "0.1.0"
