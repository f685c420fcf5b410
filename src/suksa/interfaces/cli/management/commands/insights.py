"""``suksa insights run|evaluate``: compute a round's insights here, and score them on the demo truth.

- ``suksa insights run --round 2569/m12 [--only trends,strengths] [--trace-memory]`` computes every
  stage of the round in this process (:func:`~suksa.domains.insights.services.hooks.run_in_process`),
  printing a line as each stage starts and, at the end, each stage's seconds, peak memory (MiB, with
  ``--trace-memory``) and counts. ``--resume RUN_ID`` continues a failed run: its done stages are
  kept. A failed run exits with status 1 and a bilingual message saying how to resume it.
- ``suksa insights evaluate [--round 2569/m12] [--run ID] [--write-results]`` scores the round's
  current run (or run ``ID``) against the planted truth of the synthetic demo history
  (``DATA_DIR/demo/monitoring_truth.json``) and prints the table; ``--write-results`` replaces the
  "Insights evaluation" section of ``bench/RESULTS.md`` with it. The scoring itself lives in
  :mod:`suksa.domains.insights.services.evaluate`; this command only reads the demo's truth file
  and noise levels and hands them over.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from suksa.core.errors import SuksaError
from suksa.core.policy import SYSTEM
from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.models.choices import RunStatus
from suksa.domains.insights.services.evaluate import (
    Evaluation,
    evaluate_run,
    evaluation_markdown,
    replace_section,
)
from suksa.domains.insights.services.hooks import run_in_process
from suksa.domains.insights.services.run import current_run, stages
from suksa.domains.monitoring.models import Round

EVALUATION_HEADING = "## Insights evaluation"


def round_by_key(key: str) -> Round:
    """The round ``2569/m12``, or a bilingual error listing the valid keys."""
    year, _, code = key.partition("/")
    rnd = (
        Round.objects.select_related("framework").filter(framework__fiscal_year=int(year), code=code).first()
        if year.isdigit()
        else None
    )
    if rnd is None:
        known = ", ".join(r.key for r in Round.objects.select_related("framework").order_by("-period_end"))
        raise CommandError(
            f"ไม่พบรอบ “{key}” (รูปแบบ ปีงบประมาณ/รอบ เช่น 2569/m12; รอบที่มี: {known or '-'}) / "
            f"No round “{key}” (form fiscal-year/round, e.g. 2569/m12; valid: {known or '-'})"
        )
    return rnd


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - the developer's git, fixed arguments
            cwd=settings.BASE_DIR, capture_output=True, text=True, check=True, timeout=10,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


class Command(BaseCommand):
    help = "คำนวณและประเมินข้อมูลเชิงลึก / Compute and evaluate the insights of a round"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="คำนวณข้อมูลเชิงลึกของรอบ / compute a round's insights")
        run.add_argument("--round", help="ปีงบประมาณ/รอบ เช่น 2569/m12 / fiscal year/round, e.g. 2569/m12")
        run.add_argument(
            "--resume", type=int, metavar="RUN_ID", help="ทำต่อจากการคำนวณที่ไม่สำเร็จ / resume a failed run"
        )
        run.add_argument(
            "--only",
            help="เฉพาะขั้นตอน คั่นด้วยจุลภาค / only these stages, comma-separated (e.g. trends,strengths)",
        )
        run.add_argument(
            "--trace-memory", action="store_true", help="วัดหน่วยความจำสูงสุดแต่ละขั้นตอน / peak memory per stage"
        )
        ev = sub.add_parser("evaluate", help="ประเมินผลกับความจริงที่ฝังไว้ / score against the planted truth")
        ev.add_argument(
            "--round", help="ปีงบประมาณ/รอบ (ค่าเริ่มต้น 2569/m12) / fiscal year/round (default 2569/m12)"
        )
        ev.add_argument("--run", type=int, metavar="RUN_ID", help="การคำนวณที่จะประเมิน / the run to score")
        ev.add_argument(
            "--write-results",
            action="store_true",
            help="เขียนลง bench/RESULTS.md / write into bench/RESULTS.md",
        )
        ev.add_argument("--results-file", help="ไฟล์ผลลัพธ์ / results file (default bench/RESULTS.md)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "run":
            self.run(options)
        else:
            self.evaluate(options)

    # --- run ---------------------------------------------------------------------------------

    def run(self, options: dict[str, Any]) -> None:
        resume = None
        if options.get("resume") is not None:
            resume = (
                InsightRun.objects.select_related("round__framework").filter(pk=options["resume"]).first()
            )
            if resume is None:
                raise CommandError(f"ไม่พบการคำนวณ #{options['resume']} / No run #{options['resume']}")
        if resume is None and not options.get("round"):
            raise CommandError("ต้องระบุ --round หรือ --resume / Give --round or --resume")
        rnd = round_by_key(options["round"]) if options.get("round") else None
        if resume is not None and rnd is not None and resume.round_id != rnd.pk:
            raise CommandError(
                f"การคำนวณ #{resume.pk} เป็นของรอบ {resume.round.key} ไม่ใช่ {rnd.key} / "
                f"Run #{resume.pk} belongs to round {resume.round.key}, not {rnd.key}"
            )
        only = [k.strip() for k in options["only"].split(",") if k.strip()] if options.get("only") else None
        if resume is not None and only is not None:
            raise CommandError(
                "--only ใช้กับการคำนวณใหม่เท่านั้น (การทำต่อใช้ขั้นตอนเดิม) / "
                "--only applies to a new run (a resumed run keeps its stages)"
            )
        target = rnd or (resume.round if resume is not None else None)
        self.stdout.write(
            f"{'ทำต่อ' if resume else 'คำนวณ'}ข้อมูลเชิงลึกรอบ {target.key if target else ''} / "
            f"{'Resuming' if resume else 'Computing'} the insights of {target.key if target else ''}"
        )
        started = time.perf_counter()

        def report(done: int, total: int | None, message: str) -> None:
            if message:
                self.stdout.write(f"  [{done + 1 if done < (total or 0) else done}/{total}] {message}")
                self.stdout.flush()

        try:
            run = run_in_process(
                actor=SYSTEM,
                round=rnd,
                resume=resume,
                only=only,
                trace_memory=bool(options.get("trace_memory")),
                report=report,
            )
        except SuksaError as exc:
            raise CommandError(f"{exc.summary('th')} / {exc.summary('en')}") from exc
        self.print_stages(run)
        elapsed = time.perf_counter() - started
        if run.status != RunStatus.DONE:
            failed = next((k for k, v in run.stages.items() if v.get("status") == "failed"), "?")
            first_line = (run.error or "").split("\n", 1)[0]
            raise CommandError(
                f"การคำนวณ #{run.pk} ไม่สำเร็จที่ขั้นตอน {failed} ({first_line}); "
                f"แก้ไขแล้วทำต่อด้วย suksa insights run --resume {run.pk} / "
                f"Run #{run.pk} failed at stage {failed} ({first_line}); "
                f"fix it and resume with suksa insights run --resume {run.pk}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"เสร็จใน {elapsed:.1f} วินาที: การคำนวณ #{run.pk}"
                f"{' (ชุดปัจจุบันของรอบ)' if run.is_current else ''} / "
                f"Done in {elapsed:.1f} s: run #{run.pk}{' (now the current run)' if run.is_current else ''}"
            )
        )

    def print_stages(self, run: InsightRun) -> None:
        labels = {s.key: f"{s.label_th} / {s.label_en}" for s in stages()}
        self.stdout.write(
            f"  อ่านข้อมูล / data load: {run.inputs.get('load_seconds', '-')} s  "
            + ", ".join(
                f"{k} {v:,}" for k, v in run.inputs.items() if k != "load_seconds" and isinstance(v, int)
            )
        )
        self.stdout.write(f"  {'stage':<14} {'status':<8} {'s':>8} {'peak MiB':>9}  counts")
        for key, info in run.stages.items():
            peak = info.get("peak_mib")
            counts = ", ".join(
                f"{k} {v:,}"
                for k, v in (info.get("counts") or {}).items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            )
            self.stdout.write(
                f"  {key:<14} {info.get('status', ''):<8} {info.get('seconds', 0):>8.2f} "
                f"{'-' if peak is None else f'{peak:.1f}':>9}  {counts}  ({labels.get(key, key)})"
            )

    # --- evaluate -----------------------------------------------------------------------------

    def evaluate(self, options: dict[str, Any]) -> None:
        # The demo's truth and noise levels: only the command line may read the demo package.
        from suksa.demo.monitoring.plan import SPEC
        from suksa.demo.monitoring.truth import TruthMismatch, read_truth

        if options.get("run") is not None:
            run = InsightRun.objects.select_related("round__framework").filter(pk=options["run"]).first()
            if run is None:
                raise CommandError(f"ไม่พบการคำนวณ #{options['run']} / No run #{options['run']}")
        else:
            rnd = round_by_key(options.get("round") or "2569/m12")
            run = current_run(rnd)
            if run is None:
                raise CommandError(
                    f"รอบ {rnd.key} ยังไม่มีผลการคำนวณที่สมบูรณ์ ใช้ suksa insights run --round {rnd.key} ก่อน "
                    f"(หรือระบุ --run) / Round {rnd.key} has no completed run yet: run "
                    f"suksa insights run --round {rnd.key} first (or give --run)"
                )
        try:
            truth = read_truth(check=True)
        except FileNotFoundError as exc:
            raise CommandError(
                "ไม่พบไฟล์ความจริงที่ฝังไว้ (สร้างด้วย suksa demo) / "
                f"No planted-truth file (suksa demo writes it): {exc.filename}"
            ) from exc
        except TruthMismatch as exc:
            raise CommandError(str(exc)) from exc
        started = time.perf_counter()
        ev = evaluate_run(run, truth, {code: spec.sd_noise for code, spec in SPEC.items()})
        seconds = time.perf_counter() - started
        self.print_evaluation(ev)
        if options.get("write_results"):
            path = Path(options.get("results_file") or Path(settings.BASE_DIR) / "bench" / "RESULTS.md")
            section = evaluation_markdown(ev, when=dt.date.today(), commit=git_commit(), seconds=seconds)
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            path.write_text(replace_section(old, EVALUATION_HEADING, section), encoding="utf-8")
            self.stdout.write(f"เขียนลง {path} แล้ว / Written to {path}")

    def print_evaluation(self, ev: Evaluation) -> None:
        self.stdout.write(
            f"การประเมินการคำนวณ #{ev.run_id} รอบ {ev.round_key} / Evaluation of run #{ev.run_id} ({ev.round_key})"
        )
        for s in ev.sections:
            self.stdout.write(f"\n{s.title}")
            if s.missing:
                self.stdout.write(f"  ไม่มีขั้นตอน {s.stage} ในการคำนวณนี้ / stage {s.stage} is not in this run")
                continue
            for m in s.metrics:
                value = (
                    "-"
                    if m.value is None
                    else (f"{m.value:.3f}" if isinstance(m.value, float) else str(m.value))
                )
                n = "" if m.n is None else f" (n={m.n:,})"
                self.stdout.write(f"  {m.name}: {value}{n}{f'  — {m.note}' if m.note else ''}")
        self.stdout.write(f"\n{ev.verdict}")
