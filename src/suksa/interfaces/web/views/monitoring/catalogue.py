"""Indicator catalogue pages: the list, one indicator with its versions and targets, the create and
revise forms, and the targets page (table, one-target form and file import).

Everyone signed in reads them (national reference data); only national M&E officers see the forms
and may post (``services.catalogue``). Others asking for a form get 403; anonymous users are sent
to sign in.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess, PermissionDenied, SuksaError
from suksa.core.i18n import bi, label_pair, pick
from suksa.core.policy import Actor, Perm
from suksa.domains.monitoring import selectors_catalogue as sel
from suksa.domains.monitoring.models import Indicator, Target
from suksa.domains.monitoring.models.choices import Direction, Domain, Level, SourceKind, Unit, ValueType
from suksa.domains.monitoring.periods import PERIOD_KINDS
from suksa.domains.monitoring.services import catalogue as svc
from suksa.interfaces.web.context import request_actor

PERIOD_LABELS = {
    "census": ("วันนับนักเรียน (เช่น 2569/jun10)", "Census date (e.g. 2569/jun10)"),
    "year": ("ปีการศึกษา", "Academic year"),
    "fiscal_year": ("ปีงบประมาณ", "Fiscal year"),
    "round": ("รอบการรายงาน", "Reporting round"),
}


# --- access ----------------------------------------------------------------------------------


class _SignIn(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def reader(request: HttpRequest) -> Actor:
    """The actor of a reference page: signed in with ``org.view`` somewhere, else 403/sign in."""
    actor = request_actor(request)
    if not actor.is_authenticated:
        raise _SignIn(redirect_to_login(request.get_full_path()))
    if not actor.can_anywhere(Perm.ORG_VIEW):
        raise DjangoPermissionDenied
    return actor


def manager(request: HttpRequest) -> Actor:
    """The actor of a form: a national M&E officer, else 403 (anonymous: sign in)."""
    actor = reader(request)
    if not svc.may_manage(actor):
        raise DjangoPermissionDenied
    return actor


def guarded(view: Any) -> Any:
    """Turn sign-in redirects, refusals and not-found into responses (403 / 404)."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = view(request, *args, **kwargs)
            return response
        except _SignIn as signin:
            return signin.response
        except NotFoundOrNoAccess:
            raise Http404 from None
        except PermissionDenied:
            raise DjangoPermissionDenied from None

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def flash_error(request: HttpRequest, error: SuksaError) -> None:
    for p in error.problems:
        messages.error(request, f"{p.message('th')} · {p.message('en')}")


def apply_problems(form: forms.Form, error: SuksaError, aliases: dict[str, str] | None = None) -> None:
    """Attach each service problem to its form field (or to the form)."""
    aliases = aliases or {}
    for p in error.problems:
        name = aliases.get(p.field or "", (p.field or "").replace(".", "_"))
        text = f"{p.th} · {p.en}"
        form.add_error(name if name in form.fields else None, text)


# --- the catalogue list ----------------------------------------------------------------------


def _label(choices: Any, value: str) -> str:
    return pick(*label_pair(choices(value).label))


@require_http_methods(["GET"])
@guarded
def catalogue_list(request: HttpRequest) -> HttpResponse:
    actor = reader(request)
    kind = request.GET.get("kind", "")
    domain = request.GET.get("domain", "")
    standard = request.GET.get("standard", "")
    retired = request.GET.get("retired") == "1"
    rows = list(
        sel.indicators_for(
            actor,
            source_kind=kind if kind in SourceKind.values else "",
            domain=domain if domain in Domain.values else "",
            standard=standard,
            include_retired=retired,
        )
    )
    return render(
        request,
        "web/monitoring/catalogue/list.html",
        {
            "rows": [_row(i) for i in rows],
            "kinds": SourceKind.choices,
            "domains": Domain.choices,
            "standards": list(sel.standards_for(actor)),
            "chosen": {"kind": kind, "domain": domain, "standard": standard, "retired": retired},
            "may_manage": svc.may_manage(actor),
            "counts": {
                k: sum(1 for i in rows if i.source_kind == k and i.is_current) for k in SourceKind.values
            },
        },
    )


def _row(ind: Indicator) -> dict[str, Any]:
    return {
        "ind": ind,
        "unit": _label(Unit, ind.unit),
        "direction": _label(Direction, ind.direction),
        "domain": _label(Domain, ind.domain),
        "kind": _label(SourceKind, ind.source_kind),
        "levels": ", ".join(_label(Level, lv) for lv in ind.levels if lv in Level.values),
        "source": _source_text(ind),
        "standards": ", ".join(s.code for s in ind.standards.all()),
    }


def _source_text(ind: Indicator) -> str:
    src = ind.source or {}
    if ind.source_kind == SourceKind.REPORTED:
        return pick("สพท. กรอกในรายงาน", "Typed by the ESA")
    parts = [str(src.get("dataset") or src.get("producer") or ""), str(src.get("indicator") or "")]
    period = src.get("period")
    if period in PERIOD_LABELS:
        parts.append(pick(*PERIOD_LABELS[period]))
    if src.get("scale"):
        scale = float(src["scale"])
        parts.append(f"×{int(scale) if scale.is_integer() else scale}")
    return " · ".join(p for p in parts if p)


# --- one indicator ---------------------------------------------------------------------------


@require_http_methods(["GET"])
@guarded
def indicator_detail(request: HttpRequest, indicator_code: str) -> HttpResponse:
    code = indicator_code
    actor = reader(request)
    detail = sel.indicator_detail(actor, code)
    shown = detail.current or detail.latest
    return render(
        request,
        "web/monitoring/catalogue/detail.html",
        {
            "detail": detail,
            "shown": _row(shown),
            "versions": [_row(v) for v in detail.versions],
            "targets": [_target_row(t) for t in detail.targets],
            "may_manage": svc.may_manage(actor),
            "disaggregations": ", ".join(
                pick(*svc.DISAGGREGATIONS[d]) for d in shown.disaggregations if d in svc.DISAGGREGATIONS
            ),
        },
    )


def _target_row(t: Target) -> dict[str, Any]:
    if t.unit is not None:
        scope = f"{t.unit.code} {t.unit.name(pick('th', 'en'))}"
    else:
        scope = pick(*svc.PEER_GROUPS.get(t.peer_group, (t.peer_group, t.peer_group)))
    return {"target": t, "scope": scope}


@require_POST
@guarded
def indicator_retire(request: HttpRequest, indicator_code: str) -> HttpResponse:
    code = indicator_code
    actor = manager(request)
    try:
        svc.indicator_retire(actor=actor, code=code, reason=request.POST.get("reason", ""))
        messages.success(request, bi("ยกเลิกใช้ตัวชี้วัดแล้ว", "Indicator retired"))
    except InvalidInput as error:
        flash_error(request, error)
    return redirect("web:monitoring_indicator", indicator_code=code)


# --- create / revise -------------------------------------------------------------------------


def _choices(choices: Any) -> list[tuple[str, str]]:
    return [(v, _pair_label(label)) for v, label in choices]


def _pair_label(label: Any) -> str:
    return pick(*label_pair(label))


class IndicatorForm(forms.Form):
    name_th = forms.CharField(label=bi("ชื่อ (ไทย)", "Name (Thai)"), max_length=255)
    name_en = forms.CharField(label=bi("ชื่อ (อังกฤษ)", "Name (English)"), max_length=255)
    definition_th = forms.CharField(
        label=bi("นิยาม (ไทย)", "Definition (Thai)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    definition_en = forms.CharField(
        label=bi("นิยาม (อังกฤษ)", "Definition (English)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    unit = forms.ChoiceField(label=bi("หน่วย", "Unit"))
    value_type = forms.ChoiceField(label=bi("ชนิดค่า", "Value type"))
    direction = forms.ChoiceField(label=bi("ทิศทาง", "Direction"))
    domain = forms.ChoiceField(label=bi("ด้าน", "Domain"))
    levels = forms.MultipleChoiceField(label=bi("ระดับที่มีค่า", "Levels"), widget=forms.CheckboxSelectMultiple)
    disaggregations = forms.MultipleChoiceField(
        label=bi("การจำแนก", "Disaggregations"), widget=forms.CheckboxSelectMultiple, required=False
    )
    standards = forms.MultipleChoiceField(
        label=bi("มาตรฐาน", "Standards"), widget=forms.CheckboxSelectMultiple
    )
    policy_points = forms.MultipleChoiceField(
        label=bi("จุดเน้นเชิงนโยบาย", "Policy points"), widget=forms.CheckboxSelectMultiple, required=False
    )
    source_kind = forms.ChoiceField(label=bi("แหล่งข้อมูล", "Source"))
    source_indicator = forms.CharField(
        label=bi("รหัสข้อมูลในระบบหรือในแหล่งนำเข้า", "Figure code (platform or imported)"),
        required=False,
        max_length=60,
    )
    source_dataset = forms.CharField(
        label=bi("ชุดข้อมูลนำเข้า (เช่น niets_onet)", "Imported dataset (e.g. niets_onet)"),
        required=False,
        max_length=40,
    )
    source_period = forms.ChoiceField(label=bi("ชนิดช่วงเวลาของข้อมูล", "Period kind"), required=False)
    source_scale = forms.FloatField(
        label=bi("ตัวคูณเพื่อแสดงผล (100 เมื่อเก็บเป็นสัดส่วน)", "Display scale (100 when stored as a fraction)"),
        required=False,
    )
    source_lag_days = forms.IntegerField(
        label=bi("จำนวนวันหลังสิ้นปีที่ข้อมูลพร้อม", "Days after the year's end until the data exist"),
        required=False,
        min_value=0,
        max_value=366,
    )
    formula = forms.CharField(
        label=bi("สูตร", "Formula"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    min_value = forms.FloatField(label=bi("ค่าต่ำสุดที่เป็นไปได้", "Lowest possible value"), required=False)
    max_value = forms.FloatField(label=bi("ค่าสูงสุดที่เป็นไปได้", "Highest possible value"), required=False)

    def __init__(self, *args: Any, standards: list[Any], points: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _choices(Unit.choices)  # type: ignore[attr-defined]
        self.fields["value_type"].choices = _choices(ValueType.choices)  # type: ignore[attr-defined]
        self.fields["direction"].choices = _choices(Direction.choices)  # type: ignore[attr-defined]
        self.fields["domain"].choices = _choices(Domain.choices)  # type: ignore[attr-defined]
        self.fields["levels"].choices = _choices(Level.choices)  # type: ignore[attr-defined]
        self.fields["disaggregations"].choices = [  # type: ignore[attr-defined]
            (k, pick(*v)) for k, v in svc.DISAGGREGATIONS.items()
        ]
        self.fields["standards"].choices = [  # type: ignore[attr-defined]
            (s.code, f"{s.code} {pick(s.name_th, s.name_en)}") for s in standards
        ]
        self.fields["policy_points"].choices = [  # type: ignore[attr-defined]
            (str(p.pk), f"{p.fiscal_year}/{p.code} {pick(p.name_th, p.name_en)}") for p in points
        ]
        self.fields["source_kind"].choices = _choices(SourceKind.choices)  # type: ignore[attr-defined]
        self.fields["source_period"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (k, pick(*PERIOD_LABELS[k])) for k in PERIOD_KINDS
        ]


class CreateForm(IndicatorForm):
    code = forms.CharField(
        label=bi("รหัสตัวชี้วัด (อังกฤษตัวเล็ก ตัวเลข _)", "Code (lower-case letters, digits, _)"), max_length=60
    )
    field_order = ["code"]


class ReviseForm(IndicatorForm):
    change_note = forms.CharField(
        label=bi("เหตุผลของการเปลี่ยนแปลง", "Why the definition changes"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, label="")


def _fields(cd: dict[str, Any]) -> dict[str, Any]:
    source: dict[str, Any] = {}
    for key in ("indicator", "dataset", "period", "scale", "lag_days"):
        value = cd.get(f"source_{key}")
        if value not in (None, ""):
            source[key] = value
    out = {k: cd.get(k) for k in svc.FIELDS if k != "source"}
    out["source"] = source
    out["standards"] = list(cd.get("standards") or [])
    out["policy_points"] = list(cd.get("policy_points") or [])
    return out


def _initial(ind: Indicator) -> dict[str, Any]:
    data: dict[str, Any] = {k: getattr(ind, k) for k in svc.FIELDS if k != "source"}
    for key in ("indicator", "dataset", "period", "scale", "lag_days"):
        data[f"source_{key}"] = (ind.source or {}).get(key, "")
    data["standards"] = [s.code for s in ind.standards.all()]
    data["policy_points"] = [str(p.pk) for p in ind.policy_points.all()]
    data["expected_version"] = ind.version
    return data


def _form_context(actor: Actor) -> dict[str, Any]:
    return {"standards": list(sel.standards_for(actor)), "points": list(sel.policy_points_for(actor))}


@require_http_methods(["GET", "POST"])
@guarded
def indicator_new(request: HttpRequest) -> HttpResponse:
    actor = manager(request)
    form = CreateForm(request.POST or None, **_form_context(actor))
    if request.method == "POST" and form.is_valid():
        try:
            ind = svc.indicator_create(
                actor=actor, code=form.cleaned_data["code"], fields=_fields(form.cleaned_data)
            )
        except InvalidInput as error:
            apply_problems(form, error)
        else:
            messages.success(request, bi("เพิ่มตัวชี้วัดแล้ว", "Indicator added"))
            return redirect("web:monitoring_indicator", indicator_code=ind.code)
    return render(request, "web/monitoring/catalogue/form.html", {"form": form, "revising": None})


@require_http_methods(["GET", "POST"])
@guarded
def indicator_revise(request: HttpRequest, indicator_code: str) -> HttpResponse:
    code = indicator_code
    actor = manager(request)
    detail = sel.indicator_detail(actor, code)
    if detail.current is None:
        raise Http404
    form = ReviseForm(request.POST or None, initial=_initial(detail.current), **_form_context(actor))
    if request.method == "POST" and form.is_valid():
        changes = _fields(form.cleaned_data)
        if changes["source_kind"] == detail.current.source_kind:
            # Keys the form does not show (producer, breakdown) stay as they are.
            kept = {k: v for k, v in (detail.current.source or {}).items() if k in ("producer", "breakdown")}
            changes["source"] = {**kept, **changes["source"]}
        try:
            new = svc.indicator_revise(
                actor=actor,
                code=code,
                changes=changes,
                change_note=form.cleaned_data["change_note"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except SuksaError as error:
            apply_problems(form, error)
        else:
            messages.success(request, bi(f"บันทึกฉบับที่ {new.version} แล้ว", f"Version {new.version} written"))
            return redirect("web:monitoring_indicator", indicator_code=code)
    return render(request, "web/monitoring/catalogue/form.html", {"form": form, "revising": detail.current})


# --- targets ---------------------------------------------------------------------------------


class TargetForm(forms.Form):
    indicator_code = forms.ChoiceField(label=bi("ตัวชี้วัด", "Indicator"))
    fiscal_year = forms.IntegerField(label=bi("ปีงบประมาณ (พ.ศ.)", "Fiscal year (BE)"))
    unit_code = forms.CharField(
        label=bi("รหัสหน่วยงาน (ถ้ามี)", "Unit code (if any)"), required=False, max_length=20
    )
    peer_group = forms.ChoiceField(label=bi("หรือกลุ่ม", "Or group"), required=False)
    value = forms.CharField(
        label=bi("ค่าเป้าหมาย (หน่วยตามบัญชีตัวชี้วัด)", "Target (in the catalogue's unit)"), max_length=30
    )
    note = forms.CharField(label=bi("หมายเหตุ", "Note"), required=False, max_length=255)

    def __init__(self, *args: Any, indicators: list[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator_code"].choices = [  # type: ignore[attr-defined]
            (i.code, f"{i.code} · {pick(i.name_th, i.name_en)}") for i in indicators
        ]
        self.fields["peer_group"].choices = [(k, pick(*v)) for k, v in svc.PEER_GROUPS.items()]  # type: ignore[attr-defined]


def _int(raw: str | None) -> int | None:
    try:
        return int(raw or "")
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
@guarded
def targets_page(request: HttpRequest) -> HttpResponse:
    actor = reader(request)
    may = svc.may_manage(actor)
    indicators = list(sel.indicators_for(actor))
    form = TargetForm(indicators=indicators)
    report = None
    if request.method == "POST":
        if not may:
            raise DjangoPermissionDenied
        action = request.POST.get("action")
        if action == "set":
            form = TargetForm(request.POST, indicators=indicators)
            if form.is_valid():
                try:
                    svc.target_set(actor=actor, **form.cleaned_data)
                except InvalidInput as error:
                    apply_problems(form, error)
                else:
                    messages.success(request, bi("บันทึกค่าเป้าหมายแล้ว", "Target saved"))
                    return redirect(
                        f"{reverse('web:monitoring_targets')}?year={form.cleaned_data['fiscal_year']}"
                    )
        elif action == "delete":
            try:
                svc.target_delete(actor=actor, target_id=_int(request.POST.get("target")) or 0)
            except NotFoundOrNoAccess:
                raise Http404 from None
            messages.success(request, bi("ลบค่าเป้าหมายแล้ว", "Target deleted"))
            return redirect(request.get_full_path())
        elif action == "import":
            upload = request.FILES.get("file")
            if upload is None or not upload.name:
                messages.error(request, bi("กรุณาเลือกไฟล์ · Please choose a file", "Please choose a file"))
            else:
                report = svc.targets_import(actor=actor, file=upload, filename=upload.name)
        else:
            raise Http404
    year = _int(request.GET.get("year"))
    code = request.GET.get("indicator", "")
    rows = [_target_row(t) for t in sel.targets_for(actor, fiscal_year=year, indicator_code=code)[:2000]]
    names = {i.code: i for i in indicators}
    return render(
        request,
        "web/monitoring/catalogue/targets.html",
        {
            "rows": rows,
            "names": names,
            "form": form,
            "report": report,
            "may_manage": may,
            "year": year,
            "indicator": code,
            "indicators": indicators,
        },
    )


urlpatterns: list[URLPattern] = [
    path("monitoring/catalogue/", catalogue_list, name="monitoring_catalogue"),
    path("monitoring/catalogue/new/", indicator_new, name="monitoring_indicator_new"),
    path("monitoring/catalogue/<str:indicator_code>/", indicator_detail, name="monitoring_indicator"),
    path(
        "monitoring/catalogue/<str:indicator_code>/revise/",
        indicator_revise,
        name="monitoring_indicator_revise",
    ),
    path(
        "monitoring/catalogue/<str:indicator_code>/retire/",
        indicator_retire,
        name="monitoring_indicator_retire",
    ),
    path("monitoring/targets/", targets_page, name="monitoring_targets"),
]
