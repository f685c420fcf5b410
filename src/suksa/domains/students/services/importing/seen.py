"""A compact set of the identifiers an import has already met, for "duplicate within the file".

A Python ``set`` of 6.6 million identifiers costs about 500 MB. Identifiers are numbers (a
citizen ID is 13 digits; a G-code is G + 12 digits), so they are kept as 64-bit integers in sorted
``array('q')`` runs, one run per hash bucket, with a small set of recent keys per bucket merged
into the run now and then: about 8 bytes per identifier (53 MB for the national file, under 2 MB for
a school's file) and one ``bisect`` per lookup.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left

_BUCKETS = 1024
_RECENT_MAX = 128
_G_OFFSET = 10**13  # citizen IDs are below 10**13; G-codes are stored above it


def identifier_key(value: str) -> int:
    """The integer key of a normalised citizen ID (13 digits) or G-code (G + 12 digits)."""
    if value[:1] == "G":
        return _G_OFFSET + int(value[1:])
    return int(value)


class SeenKeys:
    def __init__(self) -> None:
        self._runs: list[array] = [array("q") for _ in range(_BUCKETS)]
        self._recent: list[set[int]] = [set() for _ in range(_BUCKETS)]
        self.count = 0

    def add(self, key: int) -> bool:
        """Remember ``key``; return False when it was already there."""
        b = key % _BUCKETS
        recent = self._recent[b]
        if key in recent:
            return False
        run = self._runs[b]
        i = bisect_left(run, key)
        if i < len(run) and run[i] == key:
            return False
        recent.add(key)
        self.count += 1
        if len(recent) >= _RECENT_MAX:
            merged = array("q", sorted([*run, *recent]))
            self._runs[b] = merged
            recent.clear()
        return True

    def __contains__(self, key: int) -> bool:
        b = key % _BUCKETS
        if key in self._recent[b]:
            return True
        run = self._runs[b]
        i = bisect_left(run, key)
        return i < len(run) and run[i] == key
