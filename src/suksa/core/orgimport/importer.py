"""Resolve parsed org-import rows against what is stored, then write them in batches.

Rows are resolved by depth (regions, then ESAs, then schools) so that a parent given later in the
file is known before its children. Lookups are loaded once, in batches; writes are set-based
(``bulk_create``, one ``UPDATE … FROM (VALUES …)`` per batch, moves through
``orgunit_move_subtree_paths``), and every created or changed unit gets one audit entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from suksa.core import audit
from suksa.core.middleware import current_context
from suksa.core.models import AuditEntry, EsaProfile, OrgUnit, Province, School
from suksa.core.orgimport.rows import (
    BATCH,
    COLUMNS,
    COUNT_FIELDS,
    ESA,
    KIND_LABELS,
    PARENT_KIND,
    PARENT_LABELS,
    REGION,
    SCHOOL,
    SCHOOL_FIELDS,
    SCHOOL_STORED,
    UPDATE_BATCH,
    Existing,
    Geography,
    Progress,
    Rec,
    parse_row,
)
from suksa.core.policy import Actor, Perm
from suksa.core.services import band_rules, orgunit_move_subtree_paths, schools_recompute_size_bands
from suksa.core.size_bands import size_band
from suksa.core.tabular import ImportReport, read_rows
from suksa.core.text import search_key


class Importer:
    def __init__(
        self, actor: Actor, report: ImportReport, keep_valid: bool, progress: Progress | None
    ) -> None:
        self.actor = actor
        self.report = report
        self.keep_valid = keep_valid
        self.progress = progress or (lambda stage, done, total: None)
        self.geo = Geography()
        self.recs: list[Rec] = []
        self.by_code: dict[str, Rec] = {}
        self.units: dict[str, Existing] = {}
        self.codes_by_id: dict[int, str] = {}
        self.esa_profiles: dict[int, dict[str, Any]] = {}
        self.esa_provinces: dict[int, list[str]] = defaultdict(list)
        self.schools: dict[int, tuple[Any, ...]] = {}  # tuples, not dicts: a national file has 29,000
        self.region_provinces: dict[int, list[str]] = defaultdict(list)

    # -- reading

    def read(self, file: BinaryIO, filename: str) -> None:
        duplicates: dict[str, list[Rec]] = {}
        for row in read_rows(file, filename, COLUMNS):
            rec = parse_row(row, self.geo)
            self.recs.append(rec)
            if rec.code:
                first = self.by_code.setdefault(rec.code, rec)
                if first is not rec:
                    duplicates.setdefault(rec.code, [first]).append(rec)
            if len(self.recs) % 5000 == 0:
                self.progress("read", len(self.recs), 0)
        self.report.rows_read = len(self.recs)
        for code, recs in duplicates.items():
            rows = ", ".join(str(r.number) for r in recs)
            for r in recs:
                r.add(
                    "code",
                    "code_duplicate",
                    f"รหัส '{code}' ซ้ำกันในไฟล์ (แถว {rows})",
                    f"Code '{code}' appears more than once in the file (rows {rows})",
                )

    # -- loading what exists

    def load(self) -> None:
        wanted = sorted(
            {r.code for r in self.recs if r.code} | {r.parent_code for r in self.recs if r.parent_code}
        )
        for chunk in chunks(wanted, 2000):
            for uid, kind, code, th, en, parent_id, path in OrgUnit.objects.filter(
                code__in=chunk
            ).values_list("id", "kind", "code", "name_th", "name_en", "parent_id", "path"):
                self.units[code] = Existing(uid, kind, code, th, en, parent_id, path)
                self.codes_by_id[uid] = code
        parent_ids = sorted({u.parent_id for u in self.units.values() if u.parent_id} - set(self.codes_by_id))
        for chunk in chunks(parent_ids, 2000):
            self.codes_by_id.update(OrgUnit.objects.filter(id__in=chunk).values_list("id", "code"))
        esa_ids = [u.id for u in self.units.values() if u.kind == ESA]
        school_ids = [u.id for u in self.units.values() if u.kind == SCHOOL]
        region_ids = [u.id for u in self.units.values() if u.kind == REGION]
        for chunk in chunks(esa_ids, 2000):
            for row in EsaProfile.objects.filter(unit_id__in=chunk).values(
                "unit_id", "esa_type", "area_number", "office_province_id"
            ):
                self.esa_profiles[row["unit_id"]] = dict(row)
            for uid, prov in EsaProfile.provinces.through.objects.filter(esaprofile_id__in=chunk).values_list(
                "esaprofile_id", "province_id"
            ):
                self.esa_provinces[uid].append(prov)
        for chunk in chunks(school_ids, 2000):
            for uid, *values in School.objects.filter(unit_id__in=chunk).values_list(
                "unit_id", *SCHOOL_STORED
            ):
                self.schools[uid] = tuple(values)
        for code, region_id in Province.objects.filter(inspection_region_id__in=region_ids).values_list(
            "code", "inspection_region_id"
        ):
            self.region_provinces[region_id].append(code)

    def _stored_school(self, unit_id: int) -> dict[str, Any]:
        values = self.schools.get(unit_id)
        return dict(zip(SCHOOL_STORED, values, strict=True)) if values else {}

    # -- resolving parents, scope and changes, by depth

    def _parent_unknown(self, rec: Rec) -> None:
        rec.add(
            "parent_code",
            "parent_unknown",
            f"ไม่พบหน่วยงานต้นสังกัด '{rec.parent_code}' หรือคุณไม่มีสิทธิ์จัดการหน่วยงานนี้",
            f"Unknown parent unit '{rec.parent_code}', or you may not manage it",
        )

    def resolve(self) -> None:
        region_of_province: dict[str, str] = {}
        for kind in (REGION, ESA, SCHOOL):
            for rec in self.recs:
                if rec.kind != kind or not rec.ok:
                    continue
                self._resolve_one(rec)
                if rec.ok and kind == REGION and rec.provinces:
                    for prov in rec.provinces:
                        first = region_of_province.setdefault(prov, rec.code)
                        if first != rec.code:
                            rec.add(
                                "province",
                                "province_region_conflict",
                                f"จังหวัด {prov} อยู่ในเขตตรวจราชการ {first} แล้วในไฟล์นี้",
                                f"Province {prov} is already assigned to region {first} in this file",
                            )
                if rec.ok:
                    self._diff(rec)

    def _resolve_one(self, rec: Rec) -> None:
        existing = self.units.get(rec.code)
        if existing is not None:
            if not self.actor.can(Perm.ORG_MANAGE, existing.path):
                self._parent_unknown(rec)
                return
            if existing.kind != rec.kind:
                th, en = KIND_LABELS.get(existing.kind, (existing.kind, existing.kind))
                rec.add(
                    "kind",
                    "kind_mismatch",
                    f"รหัส '{rec.code}' มีอยู่แล้วเป็นหน่วยงานประเภท{th}",
                    f"Code '{rec.code}' already exists as a unit of another kind ({en})",
                )
                return
        rec.existing = existing
        expected = PARENT_KIND[rec.kind]
        same_parent = (
            existing is not None and self.codes_by_id.get(existing.parent_id or 0) == rec.parent_code
        )
        file_parent = self.by_code.get(rec.parent_code)
        if rec.parent_code == rec.code:
            self._parent_unknown(rec)
            return
        if file_parent is not None:
            if not file_parent.ok:
                rec.add(
                    "parent_code",
                    "parent_rejected",
                    f"แถวของหน่วยงานต้นสังกัด '{rec.parent_code}' (แถว {file_parent.number}) มีข้อผิดพลาด",
                    f"The row of parent unit '{rec.parent_code}' (row {file_parent.number}) has problems",
                )
                return
            parent_path, parent_kind = file_parent.path, file_parent.kind
            parent_id = file_parent.existing.id if file_parent.existing else None
            in_scope = parent_kind != expected or self.actor.can(Perm.ORG_MANAGE, parent_path)
        elif rec.parent_code in self.units:
            pu = self.units[rec.parent_code]
            parent_path, parent_kind, parent_id = pu.path, pu.kind, pu.id
            in_scope = self.actor.can(Perm.ORG_MANAGE, parent_path)
        else:
            self._parent_unknown(rec)
            return
        if not (in_scope or (same_parent and existing is not None)):
            self._parent_unknown(rec)
            return
        if parent_kind != expected:
            pth, pen = PARENT_LABELS[expected]
            th, en = KIND_LABELS[rec.kind]
            rec.add(
                "parent_code",
                "parent_kind",
                f"ต้นสังกัดของ{th}ต้องเป็น{pth} แต่ '{rec.parent_code}' ไม่ใช่",
                f"The parent of an {en} must be {pen}; '{rec.parent_code}' is not",
            )
            return
        rec.parent_id = parent_id
        rec.path = f"{parent_path}{rec.code}/"
        if rec.kind == SCHOOL:
            if file_parent is not None:
                rec.esa_type = file_parent.esa_type
            elif parent_id in self.esa_profiles:
                rec.esa_type = self.esa_profiles[parent_id]["esa_type"]
            else:
                rec.esa_type = (
                    EsaProfile.objects.filter(unit_id=parent_id).values_list("esa_type", flat=True).first()
                )
                self.esa_profiles[parent_id or 0] = {"esa_type": rec.esa_type}

    def _diff(self, rec: Rec) -> None:
        ex = rec.existing
        after = self._after(rec)
        if ex is None:
            rec.action = "create"  # its changes are built when written, to keep memory small
            return
        before = self._before(rec, ex)
        # Fields the file does not give are kept: compare only what it says.
        after = {k: v for k, v in after.items() if v is not None or k in ("area_number",)}
        if rec.kind == ESA and not rec.has_area_number:
            after.pop("area_number", None)
        rec.changes = audit.diff({k: before.get(k) for k in after}, after)
        if not rec.changes:
            rec.action = "unchanged"
        elif "parent" in rec.changes:
            rec.action = "move"
        else:
            rec.action = "update"

    def _after(self, rec: Rec) -> dict[str, Any]:
        after: dict[str, Any] = {"kind": rec.kind, "name_th": rec.name_th, "name_en": rec.name_en}
        after["parent"] = rec.parent_code
        if rec.existing is None and after["name_en"] is None:
            after["name_en"] = ""
        if rec.kind == REGION:
            after["provinces"] = sorted(rec.provinces) if rec.provinces else None
        elif rec.kind == ESA:
            assert rec.provinces
            after.update(
                esa_type=rec.esa_type,
                area_number=rec.area_number,
                office_province=rec.provinces[0],
                provinces=sorted(rec.provinces),
            )
        else:
            after.update(
                esa_type=rec.esa_type,
                province=rec.province,
                district=rec.district,
                subdistrict=rec.subdistrict,
                area_type=rec.area_type,
                lowest_grade=rec.lowest_grade,
                highest_grade=rec.highest_grade,
            )
            for f in COUNT_FIELDS:
                after[f] = rec.counts.get(f, 0 if rec.existing is None else None)
        if rec.existing is None:
            return {k: v for k, v in after.items() if v is not None}
        return after

    def _before(self, rec: Rec, ex: Existing) -> dict[str, Any]:
        before: dict[str, Any] = {
            "kind": ex.kind,
            "name_th": ex.name_th,
            "name_en": ex.name_en,
            "parent": self.codes_by_id.get(ex.parent_id or 0),
        }
        if rec.kind == REGION:
            before["provinces"] = sorted(self.region_provinces.get(ex.id, []))
        elif rec.kind == ESA:
            prof = self.esa_profiles.get(ex.id, {})
            before.update(
                esa_type=prof.get("esa_type"),
                area_number=prof.get("area_number"),
                office_province=prof.get("office_province_id"),
                provinces=sorted(self.esa_provinces.get(ex.id, [])),
            )
        else:
            s = self._stored_school(ex.id)
            before.update(
                esa_type=s.get("esa_type"),
                province=s.get("province_id"),
                district=s.get("district_id"),
                subdistrict=s.get("subdistrict_id"),
                area_type=s.get("area_type"),
                lowest_grade=s.get("lowest_grade"),
                highest_grade=s.get("highest_grade"),
                **{f: s.get(f) for f in COUNT_FIELDS},
            )
        return before

    # -- writing

    def write(self) -> None:
        now = timezone.now()
        rules = band_rules()
        ids: dict[str, int] = {}  # code -> id of every unit written or kept, for children
        touched_schools: list[int] = []
        total = sum(1 for r in self.recs if r.ok)
        done = 0
        for kind in (REGION, ESA, SCHOOL):
            recs = [r for r in self.recs if r.ok and r.kind == kind]
            for batch in chunks(recs, BATCH):
                entries: list[AuditEntry] = []
                for rec in batch:
                    if rec.existing is not None:
                        ids[rec.code] = rec.existing.id
                    if rec.parent_id is None:
                        rec.parent_id = ids[rec.parent_code]
                self._create(kind, [r for r in batch if r.action == "create"], ids, rules, now)
                for rec in batch:
                    if rec.action == "move":
                        self._move(rec, ids)
                self._update(kind, [r for r in batch if r.action in ("update", "move")], ids, rules, now)
                for rec in batch:
                    if rec.action in ("create", "update", "move"):
                        entries.append(self._entry(rec, ids[rec.code]))
                        if kind == SCHOOL:
                            touched_schools.append(ids[rec.code])
                    self._count(rec)
                audit.record_many(entries)
                done += len(batch)
                self.progress("write", done, total)
        for chunk in chunks(touched_schools, 2000):
            schools_recompute_size_bands(queryset=School.objects.filter(unit_id__in=chunk))

    def _count(self, rec: Rec) -> None:
        if rec.action == "create":
            self.report.created += 1
        elif rec.action == "unchanged":
            self.report.unchanged += 1
        else:
            self.report.updated += 1

    def _unit(self, rec: Rec, ids: dict[str, int], now: Any) -> OrgUnit:
        unit = OrgUnit(
            kind=rec.kind,
            code=rec.code,
            name_th=rec.name_th,
            name_en=rec.name_en or "",
            parent_id=rec.parent_id if rec.parent_id is not None else ids.get(rec.parent_code),
        )
        unit.path = rec.path
        unit.search_text = _search_text(rec.code, rec.name_th, unit.name_en)
        unit.created_at = unit.updated_at = now
        return unit

    def _create(self, kind: str, recs: list[Rec], ids: dict[str, int], rules: Any, now: Any) -> None:
        if not recs:
            return
        units = OrgUnit.objects.bulk_create([self._unit(r, ids, now) for r in recs])
        for rec, unit in zip(recs, units, strict=True):
            assert unit.pk is not None
            ids[rec.code] = unit.pk
        if kind == REGION:
            for rec in recs:
                if rec.provinces:
                    self._set_region_provinces(ids[rec.code], rec.provinces)
        elif kind == ESA:
            EsaProfile.objects.bulk_create([self._esa(r, ids[r.code]) for r in recs])
            self._set_esa_provinces({ids[r.code]: r.provinces or [] for r in recs})
        else:
            School.objects.bulk_create([self._school(r, ids[r.code], rules) for r in recs])

    def _esa(self, rec: Rec, unit_id: int) -> EsaProfile:
        assert rec.provinces
        assert rec.esa_type
        return EsaProfile(
            unit_id=unit_id,
            esa_type=rec.esa_type,
            area_number=rec.area_number,
            office_province_id=rec.provinces[0],
        )

    def _school(self, rec: Rec, unit_id: int, rules: Any, base: dict[str, Any] | None = None) -> School:
        counts = {f: rec.counts.get(f, (base or {}).get(f, 0)) for f in COUNT_FIELDS}
        esa_type = rec.esa_type or ""
        # A valid school row has every one of these (checked while parsing).
        assert rec.province and rec.district and rec.subdistrict and rec.area_type  # noqa: PT018
        assert rec.lowest_grade and rec.highest_grade  # noqa: PT018
        return School(
            unit_id=unit_id,
            esa_type=esa_type,
            province_id=rec.province,
            district_id=rec.district,
            subdistrict_id=rec.subdistrict,
            area_type=rec.area_type,
            lowest_grade=rec.lowest_grade,
            highest_grade=rec.highest_grade,
            size_band=size_band(counts["student_count"], esa_type, rules),
            **counts,
        )

    def _move(self, rec: Rec, ids: dict[str, int]) -> None:
        unit = OrgUnit.objects.get(pk=ids[rec.code])
        assert rec.parent_id is not None
        unit.parent = OrgUnit.objects.get(pk=rec.parent_id)
        unit.name_th = rec.name_th
        if rec.name_en is not None:
            unit.name_en = rec.name_en
        orgunit_move_subtree_paths(unit=unit)

    def _update(self, kind: str, recs: list[Rec], ids: dict[str, int], rules: Any, now: Any) -> None:
        if not recs:
            return
        units = []
        for rec in recs:
            assert rec.existing is not None
            if not {"name_th", "name_en"} & set(rec.changes):
                continue
            unit = self._unit(rec, ids, now)
            unit.pk = unit.id = rec.existing.id
            if rec.name_en is None:
                unit.name_en = rec.existing.name_en
                unit.search_text = _search_text(rec.code, rec.name_th, unit.name_en)
            units.append(unit)
        _update_rows(OrgUnit, units, ["name_th", "name_en", "search_text", "updated_at"])
        if kind == REGION:
            for rec in recs:
                if rec.provinces is not None:
                    self._set_region_provinces(ids[rec.code], rec.provinces)
        elif kind == ESA:
            profiles = []
            for rec in recs:
                p = self._esa(rec, ids[rec.code])
                if not rec.has_area_number:
                    p.area_number = self.esa_profiles.get(ids[rec.code], {}).get("area_number")
                profiles.append(p)
            # A unit created without its profile (by hand, say) gets one now.
            EsaProfile.objects.bulk_create([p for p in profiles if p.unit_id not in self.esa_profiles])
            EsaProfile.objects.bulk_update(
                [p for p in profiles if p.unit_id in self.esa_profiles],
                ["esa_type", "area_number", "office_province"],
                batch_size=UPDATE_BATCH,
            )
            self._set_esa_provinces({ids[r.code]: r.provinces or [] for r in recs})
            for rec, p in zip(recs, profiles, strict=True):
                if "esa_type" in rec.changes:
                    # Schools take their ESA's type; keep those not in this file in step.
                    School.objects.filter(unit__parent_id=p.unit_id).update(esa_type=p.esa_type)
                    schools_recompute_size_bands(queryset=School.objects.filter(unit__parent_id=p.unit_id))
        else:
            schools = [self._school(r, ids[r.code], rules, self._stored_school(ids[r.code])) for r in recs]
            School.objects.bulk_create([s for s in schools if s.unit_id not in self.schools])
            _update_rows(
                School, [s for s in schools if s.unit_id in self.schools], [*SCHOOL_FIELDS, "size_band"]
            )

    def _set_region_provinces(self, region_id: int, provinces: list[str]) -> None:
        Province.objects.filter(inspection_region_id=region_id).exclude(code__in=provinces).update(
            inspection_region=None
        )
        Province.objects.filter(code__in=provinces).update(inspection_region_id=region_id)

    def _set_esa_provinces(self, provinces_by_esa: dict[int, list[str]]) -> None:
        through = EsaProfile.provinces.through
        through.objects.filter(esaprofile_id__in=list(provinces_by_esa)).delete()
        through.objects.bulk_create(
            [
                through(esaprofile_id=uid, province_id=p)
                for uid, provs in provinces_by_esa.items()
                for p in provs
            ]
        )

    def _entry(self, rec: Rec, unit_id: int) -> AuditEntry:
        ctx = current_context()
        return AuditEntry(
            actor_id=self.actor.user_id,
            actor_username=self.actor.username,
            action="create" if rec.action == "create" else "update",
            object_type="core.orgunit",
            object_id=rec.code,
            object_repr=rec.name_th[:255],
            unit_path=rec.path,
            changes=rec.changes if rec.action != "create" else audit.diff({}, self._after(rec)),
            source=ctx.source if ctx.source != "cli" else self.actor.source,
        )


def _update_rows(model: type[Model], objs: list[Any], fields: list[str]) -> None:
    """Write ``fields`` of many rows, one statement per batch: ``WITH v AS (VALUES …) UPDATE … FROM v``.

    Django's ``bulk_update`` builds a CASE expression per field and row in Python, which takes
    minutes for a national school list; SQLite (3.33+) and PostgreSQL both run UPDATE … FROM.
    Values must be non-null (every field written here is NOT NULL).
    """
    if not objs:
        return
    qn = connection.ops.quote_name
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    columns = [meta.get_field(f) for f in fields]
    names = ["k", *(f"c{i}" for i in range(len(columns)))]
    sets = ", ".join(f"{qn(str(c.column))} = v.c{i}" for i, c in enumerate(columns))  # type: ignore[union-attr]
    for batch in chunks(objs, UPDATE_BATCH):
        params: list[Any] = []
        for obj in batch:
            params.append(obj.pk)
            for c in columns:
                params.append(c.get_db_prep_save(getattr(obj, c.attname), connection))  # type: ignore[union-attr]
        row = "(" + ", ".join(["%s"] * len(names)) + ")"
        values, table = ", ".join([row] * len(batch)), qn(meta.db_table)
        # Identifiers come from model metadata; every value is a parameter.
        sql = f"WITH v ({', '.join(names)}) AS (VALUES {values}) UPDATE {table} SET {sets} FROM v WHERE {table}.{qn(pk.column)} = v.k"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _search_text(code: str, name_th: str, name_en: str) -> str:
    return search_key(code, name_th, name_en)


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def common_path(paths: Iterable[str]) -> str:
    parts: list[str] | None = None
    for p in paths:
        segs = [s for s in p.split("/") if s]
        if parts is None:
            parts = segs
        else:
            n = 0
            while n < min(len(parts), len(segs)) and parts[n] == segs[n]:
                n += 1
            parts = parts[:n]
    return "/" + "".join(f"{s}/" for s in parts) if parts else ""
