"""Record-level synthetic learners for the demo nation (issue 3, item 7).

- :mod:`~suksa.demo.students.simulate` — pure, seeded simulation of one ESA's learners over the
  demo's academic years (2565–2569), with promotion, repetition, dropout, transfers and graduation.
- :mod:`~suksa.demo.students.plan` — records scopes (``tiny`` / ``province`` / ``national``), the
  plan's schools without a database, and :func:`dmc_rows` (the import benchmark's file rows).
- :mod:`~suksa.demo.students.writer` — the streamed, set-based database writer, the demo school's
  attendance, census rounds and the derived school counts.
- :mod:`~suksa.demo.students.names` — invented Thai name parts.

The demo's fixed today is :data:`DEMO_TODAY` (20 November 2026 = 20 พ.ย. 2569).
"""

from suksa.demo.students.plan import RECORD_CHOICES, default_records, dmc_rows
from suksa.demo.students.simulate import DEMO_TODAY

__all__ = ["DEMO_TODAY", "RECORD_CHOICES", "default_records", "dmc_rows"]
