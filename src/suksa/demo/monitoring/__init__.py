"""The synthetic monitoring history of the demo nation (issue 4, item 8).

Six fiscal years of ESA monitoring (FY 2564–2569, 6- and 12-month rounds; FY 2570 set up with its
3-month round upcoming): frameworks, 85 target areas, targets, platform history for every computed
and imported indicator (ESA, region, nation, and school-level O-NET), and every ESA's report per
round — pre-filled by the real service, then the values, Thai narratives and top-5 outstanding
works the ESA added, submissions (some late, some never), reviews, edit time and reminders — with
planted signals for the insights evaluation (trends, shocks, strengths, positive-deviant school
models, decoys with bad data, practices that work and practices that do not).

- :mod:`~suksa.demo.monitoring.plan` — pure and seeded: latent traits per ESA and school, values.
- :mod:`~suksa.demo.monitoring.narratives` — Thai narratives, nominations and reviewers' words.
- :mod:`~suksa.demo.monitoring.writer` — the set-based database writer.
- :mod:`~suksa.demo.monitoring.truth` — the planted truth (``planted_truth(seed)``) and its file.

docs/guide/monitoring/demo-history.md describes it for people.
"""
