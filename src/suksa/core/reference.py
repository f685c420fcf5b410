"""Reference data loaded from packages: geography (``geothai``) and the default size bands.

Idempotent: called from a data migration and safe to run again after a ``geothai`` upgrade.
"""

from __future__ import annotations

from typing import Any

import geothai

from suksa.core.size_bands import DEFAULT_RULES


def load_geography(province_model: Any, district_model: Any, subdistrict_model: Any) -> int:
    """Upsert the 77 provinces, 928 districts and 7,436 subdistricts. Returns rows written."""
    provinces = geothai.provinces()
    districts = [d for p in provinces for d in geothai.districts(p.code)]
    subdistricts = [s for d in districts for s in geothai.subdistricts(d.code)]
    province_model.objects.bulk_create(
        [province_model(code=p.code, name_th=p.name_th, name_en=p.name_en) for p in provinces],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name_th", "name_en"],
    )
    district_model.objects.bulk_create(
        [
            district_model(code=d.code, province_id=d.province_code, name_th=d.name_th, name_en=d.name_en)
            for d in districts
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name_th", "name_en", "province"],
        batch_size=1000,
    )
    subdistrict_model.objects.bulk_create(
        [
            subdistrict_model(
                code=s.code,
                district_id=s.district_code,
                name_th=s.name_th,
                name_en=s.name_en,
                postal_code=(s.postal_codes or ("",))[0],
            )
            for s in subdistricts
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name_th", "name_en", "district", "postal_code"],
        batch_size=1000,
    )
    return len(provinces) + len(districts) + len(subdistricts)


def seed_size_bands(rule_model: Any) -> None:
    for esa_type, band, lo, hi in DEFAULT_RULES:
        rule_model.objects.get_or_create(
            esa_type=esa_type, band=band, defaults={"min_students": lo, "max_students": hi}
        )
