#!/usr/bin/env python3
"""Count words, lines and characters in the files given (a small human-written utility)."""

import sys


def count(text: str) -> tuple[int, int, int]:
    """Return (lines, words, characters) of a text."""
    return text.count("\n"), len(text.split()), len(text)


def main(paths: list[str]) -> int:
    """Print the counts of each file, then the total."""
    total = [0, 0, 0]
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            counts = count(fh.read())
        total = [t + c for t, c in zip(total, counts)]
        print(*counts, path)
    if len(paths) > 1:
        print(*total, "total")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
