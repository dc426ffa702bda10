"""Keeping the corpus current from upstream services (arXiv API and OAI-PMH, Hugging Face Daily Papers,
bioRxiv/medRxiv): sources that page through them politely, a runner that stores each page and then
moves the feed's checkpoint on, and the schedule `paperlens serve` runs saved feeds on."""
