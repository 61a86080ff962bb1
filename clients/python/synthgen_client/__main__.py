"""`python -m synthgen_client`: the `synthgen` command."""

import sys

from synthgen_client.cli import main

sys.exit(main())
