"""The ``suksa`` subcommands: ``run``, ``demo`` and the rest."""
