"""Management commands of the ``suksa`` command."""
