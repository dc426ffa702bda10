"""`python -m paperlens.cli`: the `paperlens` command."""

from . import main

main()
