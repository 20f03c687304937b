"""Build or update the search index from corpus/: python ingest.py [--quiet]. Same as `lss-assistant ingest`."""

import sys

from assistant.cli import main

if __name__ == "__main__":
    sys.exit(main(["ingest", *sys.argv[1:]]))
