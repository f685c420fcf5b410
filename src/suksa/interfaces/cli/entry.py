"""The ``suksa`` command: Django's management commands under the platform's name.

``suksa run``, ``suksa demo --scale tiny``, ``suksa import-orgunits FILE`` … are the management
commands of this app (and Django's own, such as ``suksa migrate``).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    argv = [sys.argv[0], *[a.replace("-", "_") if i == 0 else a for i, a in enumerate(sys.argv[1:])]]
    execute_from_command_line(argv)
