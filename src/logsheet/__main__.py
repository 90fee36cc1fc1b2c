"""``python -m logsheet``: the command line."""

from logsheet.cli import main

main()
