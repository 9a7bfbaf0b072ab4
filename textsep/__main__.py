"""`python -m textsep` is the `textsep` command line."""
import sys

from textsep.cli import main

sys.exit(main())
