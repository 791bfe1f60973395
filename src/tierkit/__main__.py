"""``python -m tierkit`` runs the command line."""

import sys

from tierkit.cli.main import main

sys.exit(main())
