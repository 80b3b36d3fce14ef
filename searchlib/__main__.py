"""``python -m searchlib ...``: the same command as the ``searchlib`` script."""

from searchlib.cli import main

if __name__ == "__main__":
    main()
