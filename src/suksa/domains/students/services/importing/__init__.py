"""The learner (DMC) import and the register export, split by concern.

:mod:`.rows` checks one row on its own; :mod:`.seen` remembers which identifiers the file has
already given; :mod:`.importer` resolves a batch of rows against what is stored and writes it;
:mod:`.export` streams a school's register back out in the same format. The public entry points
are in :mod:`suksa.domains.students.services.imports`.
"""
