"""``python -m provenance`` runs the command-line interface."""

import importlib

if __name__ == "__main__":
    # Imported by name: in a source checkout provenance.cli is registered at run time.
    importlib.import_module("provenance.cli.main").main()
