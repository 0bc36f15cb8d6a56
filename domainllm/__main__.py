"""``python -m domainllm``: the command line (see :mod:`domainllm.cli`)."""

import sys

from domainllm.cli import main

if __name__ == "__main__":
    sys.exit(main())
