"""Reading-list formats (BibTeX, CSV, JSON) and recommendations from what a user saved."""
