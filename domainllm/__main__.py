"""``python -m domainllm``: the command line (see :mod:`domainllm.cli.commands`)."""

import sys

from domainllm.cli.commands import main

if __name__ == "__main__":
    sys.exit(main())
