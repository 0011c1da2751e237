"""``python -m registry.cli``: the same as the ``registry`` command."""

from registry.cli.main import main

raise SystemExit(main())
