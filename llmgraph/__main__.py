"""``python -m llmgraph``: the command line."""

import sys

from llmgraph.cli import main

sys.exit(main())
