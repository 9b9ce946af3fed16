"""`python -m liveness ...`: see liveness.cli."""

import sys

from liveness.cli import main

sys.exit(main())
