"""``python -m registry.cli``: the same as the ``registry`` command."""

from registry.cli.main import main

if __name__ == "__main__":  # a worker process started by spawn imports this module too
    raise SystemExit(main())
