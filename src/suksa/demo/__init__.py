"""The deterministic synthetic nation (``suksa demo --scale tiny|province|national``).

Regions, ESAs, schools with real geography, calendars and named demo personas; no real people.
See :mod:`suksa.demo.generator` for the loader and :mod:`suksa.demo.data` for its tables.
"""
