"""Ranking: the one tokenizer, the BM25 index, related-paper queries and extractive summaries."""

from .tokenizer import TOKENIZER_VERSION, tokenize

__all__ = ["TOKENIZER_VERSION", "tokenize"]
