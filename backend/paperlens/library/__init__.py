"""Reading-list formats: BibTeX both ways, the CSV/JSON export, a bibliography's ids, the digest as
Atom, Zotero items as entries."""
