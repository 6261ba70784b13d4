"""`python -m fullfunnel ...`: bootstrap commands run on bare Python; the rest need the venv."""
import sys

from fullfunnel import bootstrap

if __name__ == "__main__":
    if sys.argv[1:2] and sys.argv[1] in bootstrap.COMMANDS:
        sys.exit(bootstrap.main(sys.argv[1:]))
    from fullfunnel.cli import main

    sys.exit(main())
