#!/usr/bin/env python3
"""Validates every plan file in data/plans against the format of data/plans/README.md:
required fields and no unknown ones, unique ids, each scorecard indicator at most once,
valid dates, known deadline kinds, roles and levels, well-formed and unique paragraph ids,
and every quoted source sentence, unit and deadline found verbatim in the paragraph it cites.
Then it breaks copies of the seed plan one way at a time and checks that each break is caught,
so the validator itself can fail.

Usage: plan_data_test.py [--repo <checkout>] [--plans-dir <dir>] [--seed <seed text>] [<checkout>]
--seed (by hand, not in CTest: the seed lives outside the repository) also checks that the
seed plan's paragraphs occur, in order, in the seed text and that its sha256 matches.
Pure Python 3 standard library.
"""
import argparse
import copy
import datetime
import glob
import hashlib
import json
import os
import re
import sys

FORMAT = "grassroots.plan/1"
SEED_PLAN_ID = "nq21-plan-seed"
INDICATORS = ["S1", "S2a", "S2b", "S3", "S4", "S5a", "S5b", "S6", "S7", "S8", "S9", "S10", "S11", "S12",
              "S13", "S14", "S15", "S16"]
VALUE_COMPARATORS = {">=", ">", "=", "<=", "<"}
COMPARATORS = VALUE_COMPARATORS | {"between", "rising_year_on_year", "reported"}
UNITS = {"ratio", "count"}
WINDOWS = {"year", "term"}
# Organization levels: the org service's level codes (services/org/store/migrations/V0002).
LEVELS = {"PROVINCE", "DISTRICT", "COMMUNE", "UPPER_GRASSROOTS", "GRASSROOTS", "PARTIAL", "CELL"}
ROLES = {"ban_thuong_vu", "thuong_truc", "uy_vien_ban_chap_hanh", "ban_to_chuc", "ban_tuyen_giao", "ubkt",
         "van_phong_cap_uy", "cap_uy_to_chuc_dang", "cap_uy_co_so", "bi_thu_co_so", "co_quan_don_vi",
         "co_quan_tham_muu", "co_quan_lien_quan", "hdnd", "ubnd", "mttq", "doan_the"}
DATED_KINDS = {"done", "by_date", "from_date"}
UNDATED_KINDS = {"ongoing", "yearly", "within_term", "on_higher_guidance"}
DEADLINE_KINDS = DATED_KINDS | UNDATED_KINDS | {"unspecified"}
PRECISIONS = {"day", "month", "year"}

ROMAN = r"(?:I|II|III|IV|V|VI|VII|VIII|IX|X)"
NUM = r"[1-9][0-9]*"
PARAGRAPH_ID = re.compile(rf"^{ROMAN}(?:\.{NUM})*(?:/{NUM}(?:\.{NUM})?)?$")
PLAN_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
ABRIDGEMENT = " … "

PLAN_FIELDS = ({"format", "id", "title", "issuing_body", "document_number", "date_signed", "applies_to", "period",
                "source", "paragraphs", "targets", "tasks"}, {"term", "implements", "gaps"})
ISSUING_BODY_FIELDS = ({"as_written", "role", "level", "unit_name", "province"}, set())
APPLIES_TO_FIELDS = ({"level", "as_written", "paragraph"}, set())
PERIOD_FIELDS = ({"from", "to"}, set())
TERM_FIELDS = ({"from_year", "to_year", "as_written", "paragraph"}, set())
IMPLEMENTS_FIELDS = ({"document", "issuer", "date", "date_as_written"}, set())
SOURCE_FIELDS = ({"file"}, {"sha256", "note"})
PARAGRAPH_FIELDS = ({"id", "text"}, set())
TARGET_FIELDS = ({"indicator", "comparator", "unit", "window", "from_year", "by_year", "paragraph", "text"},
                 {"value", "low", "high", "met_at", "note"})
MET_AT_FIELDS = ({"comparator", "value"}, set())
TASK_FIELDS = ({"id", "paragraph", "text", "responsible", "responsible_paragraph", "coordinating", "deadline",
                "target_ids"}, set())
UNIT_FIELDS = ({"as_written", "role"}, set())
DEADLINE_FIELDS = ({"kind", "as_written", "in_parentheses", "date", "precision"}, set())


class PlanChecker:
    """Collects every problem of one plan; `where` prefixes each message with the file and path."""

    def __init__(self, name):
        self.name = name
        self.errors = []

    def error(self, where, message):
        self.errors.append(f"{self.name}: {where}: {message}")

    def fields(self, obj, spec, where):
        required, optional = spec
        if not isinstance(obj, dict):
            self.error(where, "must be an object")
            return False
        for key in sorted(required - obj.keys()):
            self.error(where, f"missing field '{key}'")
        for key in sorted(obj.keys() - required - optional):
            self.error(where, f"unknown field '{key}'")
        return not (required - obj.keys())

    def text(self, value, where, allow_empty=False):
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            self.error(where, "must be a non-empty string" if not allow_empty else "must be a string")
            return False
        return True

    def optional_text(self, value, where):
        return value is None or self.text(value, where)

    def date(self, value, where, nullable=True):
        if value is None and nullable:
            return None
        if not isinstance(value, str) or not ISO_DATE.match(value):
            self.error(where, f"'{value}' is not a valid date (YYYY-MM-DD)")
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.error(where, f"'{value}' is not a valid date (YYYY-MM-DD)")
            return None

    def year(self, value, where):
        if value is None:
            return None
        if not is_int(value) or not 1900 <= value <= 2100:
            self.error(where, f"'{value}' is not a year")
            return None
        return value

    def one_of(self, value, allowed, where, what):
        if value not in allowed:
            self.error(where, f"unknown {what} '{value}'")
            return False
        return True


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def paragraph_parent(pid):
    """The id a paragraph id hangs under: 'II.3.1/6.2' -> 'II.3.1/6' -> 'II.3.1' -> 'II.3' -> 'II' -> None."""
    if "/" in pid:
        section, ordinal = pid.split("/")
        return f"{section}/{ordinal.rsplit('.', 1)[0]}" if "." in ordinal else section
    return pid.rsplit(".", 1)[0] if "." in pid else None


def paragraph_position(pid):
    """(parent, kind of numbering, number) of a paragraph among its siblings."""
    parent = paragraph_parent(pid)
    last = re.split(r"[./]", pid)[-1]
    if parent is None:
        return None, "roman", ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"].index(last) + 1
    # A section's numbered subsections (II.3.1, II.3.2) and its unnumbered paragraphs (II.3.1/1) count apart.
    return parent, "ordinal" if "/" in pid else "numbered", int(last)


def is_within(pid, ancestor):
    while pid is not None:
        if pid == ancestor:
            return True
        pid = paragraph_parent(pid)
    return False


def occurs_in(quoted, text):
    """True when `quoted` is verbatim in `text`; an abridged quote's pieces (joined by ' … ') must occur in order."""
    position = 0
    for piece in quoted.split(ABRIDGEMENT):
        found = text.find(piece, position)
        if not piece or found < 0:
            return False
        position = found + len(piece)
    return True


def check_paragraphs(c, plan):
    texts = {}
    siblings = {}
    for i, paragraph in enumerate(plan.get("paragraphs") or []):
        where = f"paragraphs[{i}]"
        if not c.fields(paragraph, PARAGRAPH_FIELDS, where):
            continue
        pid = paragraph["id"]
        if not isinstance(pid, str) or not PARAGRAPH_ID.match(pid):
            c.error(where, f"malformed paragraph id '{pid}'")
            continue
        if pid in texts:
            c.error(where, f"duplicate paragraph id '{pid}'")
            continue
        c.text(paragraph["text"], f"{where} ({pid}).text")
        parent, kind, number = paragraph_position(pid)
        if parent is not None and parent not in texts:
            c.error(where, f"paragraph '{pid}' comes before (or without) its parent '{parent}'")
        expected = siblings.get((parent, kind), 0) + 1
        if number != expected:
            c.error(where, f"paragraph '{pid}' is out of sequence: expected number {expected} under '{parent}'")
        siblings[(parent, kind)] = number
        texts[pid] = paragraph["text"] if isinstance(paragraph["text"], str) else ""
    if not texts:
        c.error("paragraphs", "must list the plan's paragraphs")
    return texts


def check_paragraph_ref(c, texts, pid, where):
    if pid not in texts:
        c.error(where, f"unknown paragraph '{pid}'")
        return False
    return True


def check_header(c, plan, texts):
    if plan.get("format") != FORMAT:
        c.error("format", f"must be '{FORMAT}'")
    if not isinstance(plan.get("id"), str) or not PLAN_ID.match(plan["id"]):
        c.error("id", f"malformed plan id '{plan.get('id')}' (lower-case letters, digits, hyphens)")
    c.text(plan.get("title"), "title")
    c.optional_text(plan.get("document_number"), "document_number")
    c.date(plan.get("date_signed"), "date_signed")
    body = plan.get("issuing_body")
    if c.fields(body, ISSUING_BODY_FIELDS, "issuing_body"):
        c.text(body["as_written"], "issuing_body.as_written")
        c.one_of(body["role"], ROLES, "issuing_body.role", "role")
        c.one_of(body["level"], LEVELS, "issuing_body.level", "level")
        c.optional_text(body["unit_name"], "issuing_body.unit_name")
        c.optional_text(body["province"], "issuing_body.province")
    applies = plan.get("applies_to")
    if c.fields(applies, APPLIES_TO_FIELDS, "applies_to"):
        c.one_of(applies["level"], LEVELS, "applies_to.level", "level")
        check_quote(c, texts, applies["paragraph"], applies["as_written"], "applies_to", nullable_paragraph=True)
    period = plan.get("period")
    if c.fields(period, PERIOD_FIELDS, "period"):
        start = c.date(period["from"], "period.from")
        end = c.date(period["to"], "period.to")
        if start and end and start > end:
            c.error("period", "'from' is after 'to'")
    term = plan.get("term")
    if term is not None and c.fields(term, TERM_FIELDS, "term"):
        first = c.year(term["from_year"], "term.from_year")
        last = c.year(term["to_year"], "term.to_year")
        if first is None or last is None or first > last:
            c.error("term", "needs from_year <= to_year")
        check_quote(c, texts, term["paragraph"], term["as_written"], "term")
    for i, document in enumerate(plan.get("implements") or []):
        where = f"implements[{i}]"
        if c.fields(document, IMPLEMENTS_FIELDS, where):
            c.text(document["document"], f"{where}.document")
            c.text(document["issuer"], f"{where}.issuer")
            c.date(document["date"], f"{where}.date")
            c.text(document["date_as_written"], f"{where}.date_as_written", allow_empty=True)
    for i, gap in enumerate(plan.get("gaps") or []):
        c.text(gap, f"gaps[{i}]")
    source = plan.get("source")
    if c.fields(source, SOURCE_FIELDS, "source"):
        if c.text(source["file"], "source.file") and "/" in source["file"]:
            c.error("source.file", "is a file name, not a path")
        if source.get("sha256") is not None and not SHA256.match(str(source["sha256"])):
            c.error("source.sha256", "must be 64 lower-case hex digits")


def check_quote(c, texts, pid, quoted, where, nullable_paragraph=False):
    """A verbatim (or ' … '-abridged) quote of paragraph pid."""
    if pid is None and nullable_paragraph:
        return c.text(quoted, f"{where}.as_written", allow_empty=True)
    if not check_paragraph_ref(c, texts, pid, f"{where}.paragraph") or not c.text(quoted, where):
        return False
    if not occurs_in(quoted, texts[pid]):
        c.error(where, f"'{quoted}' is not found in paragraph '{pid}'")
        return False
    return True


def check_targets(c, plan, texts):
    targets = {}
    for i, target in enumerate(plan.get("targets") or []):
        where = f"targets[{i}]"
        if not c.fields(target, TARGET_FIELDS, where):
            continue
        indicator = target["indicator"]
        where = f"targets[{i}] ({indicator})"
        if not c.one_of(indicator, INDICATORS, where, "indicator"):
            continue
        if indicator in targets:
            c.error(where, f"indicator {indicator} appears more than once")
            continue
        targets[indicator] = target
        check_target_rule(c, plan, target, where)
        first = c.year(target["from_year"], f"{where}.from_year")
        last = c.year(target["by_year"], f"{where}.by_year")
        if first is not None and last is not None and first > last:
            c.error(where, "from_year is after by_year")
        check_quote(c, texts, target["paragraph"], target["text"], f"{where}.text")
        if "note" in target:
            c.text(target["note"], f"{where}.note")
    if plan.get("id") == SEED_PLAN_ID:
        missing = [indicator for indicator in INDICATORS if indicator not in targets]
        if missing:
            c.error("targets", f"the seed plan sets every scorecard target; missing {', '.join(missing)}")
    return targets


def check_target_rule(c, plan, target, where):
    comparator = target["comparator"]
    if not c.one_of(comparator, COMPARATORS, f"{where}.comparator", "comparator"):
        return
    c.one_of(target["unit"], UNITS, f"{where}.unit", "unit")
    c.one_of(target["window"], WINDOWS, f"{where}.window", "window")
    if target["window"] == "term" and not plan.get("term"):
        c.error(where, "window 'term' needs the plan's term")
    wanted = {"value"} if comparator in VALUE_COMPARATORS else (
        {"low", "high", "met_at"} if comparator == "between" else set())
    present = {key for key in ("value", "low", "high", "met_at") if key in target}
    if present != wanted:
        c.error(where, f"comparator '{comparator}' takes {sorted(wanted) or 'no value'}, got {sorted(present)}")
        return
    for key in ("value", "low", "high"):
        if key in target:
            check_amount(c, target["unit"], target[key], f"{where}.{key}")
    if comparator == "between":
        if is_number(target["low"]) and is_number(target["high"]) and target["low"] > target["high"]:
            c.error(where, "low is above high")
        met_at = target["met_at"]
        if c.fields(met_at, MET_AT_FIELDS, f"{where}.met_at"):
            c.one_of(met_at["comparator"], VALUE_COMPARATORS, f"{where}.met_at.comparator", "comparator")
            if check_amount(c, target["unit"], met_at["value"], f"{where}.met_at.value") and \
                    is_number(target["low"]) and is_number(target["high"]) and \
                    not target["low"] <= met_at["value"] <= target["high"]:
                c.error(where, "met_at.value lies outside low..high")


def check_amount(c, unit, value, where):
    if unit == "ratio" and not (is_number(value) and 0 <= value <= 1):
        c.error(where, f"ratio '{value}' must be a number from 0 to 1 (25% is 0.25)")
        return False
    if unit == "count" and not (is_int(value) and value >= 0):
        c.error(where, f"count '{value}' must be a whole number >= 0")
        return False
    return True


def check_units(c, texts, units, pid, where):
    if not isinstance(units, list):
        c.error(where, "must be a list")
        return
    for i, unit in enumerate(units):
        if c.fields(unit, UNIT_FIELDS, f"{where}[{i}]"):
            c.one_of(unit["role"], ROLES, f"{where}[{i}].role", "role")
            if pid in texts:
                check_quote(c, texts, pid, unit["as_written"], f"{where}[{i}].as_written")


def check_deadline(c, plan, deadline, texts, pid, where):
    if not c.fields(deadline, DEADLINE_FIELDS, where):
        return
    kind = deadline["kind"]
    if not c.one_of(kind, DEADLINE_KINDS, f"{where}.kind", "deadline kind"):
        return
    if not isinstance(deadline["in_parentheses"], bool):
        c.error(f"{where}.in_parentheses", "must be true or false")
    as_written = deadline["as_written"]
    if kind == "unspecified":
        if as_written != "" or deadline["in_parentheses"] is not False:
            c.error(where, "an unspecified deadline has no as_written and is not in parentheses")
    elif check_quote(c, texts, pid, as_written, f"{where}.as_written") and deadline["in_parentheses"] is True \
            and f"({as_written}" not in texts[pid]:
        c.error(where, f"'{as_written}' does not open a parenthesis in paragraph '{pid}'")
    if kind == "within_term" and not plan.get("term"):
        c.error(where, "a within_term deadline needs the plan's term")
    if kind not in DATED_KINDS:
        if deadline["date"] is not None or deadline["precision"] is not None:
            c.error(where, f"a '{kind}' deadline has no date and no precision")
        return
    due = c.date(deadline["date"], f"{where}.date", nullable=False)
    if not c.one_of(deadline["precision"], PRECISIONS, f"{where}.precision", "precision") or due is None:
        return
    # A month or a year as written is stored as its last day (done, by_date) or first day (from_date).
    starts = kind == "from_date"
    if deadline["precision"] == "month":
        next_month = (due.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        aligned = due.day == 1 if starts else due == next_month - datetime.timedelta(days=1)
    elif deadline["precision"] == "year":
        aligned = (due.month, due.day) == ((1, 1) if starts else (12, 31))
    else:
        aligned = True
    if not aligned:
        c.error(where, f"date {due} is not the {'first' if starts else 'last'} day of its {deadline['precision']}")


def check_tasks(c, plan, texts, targets):
    ids = set()
    served = {}
    for i, task in enumerate(plan.get("tasks") or []):
        where = f"tasks[{i}]"
        if not c.fields(task, TASK_FIELDS, where):
            continue
        tid, pid = task["id"], task["paragraph"]
        where = f"tasks[{i}] ({tid})"
        if tid in ids:
            c.error(where, f"duplicate task id '{tid}'")
        ids.add(tid)
        if not check_paragraph_ref(c, texts, pid, f"{where}.paragraph"):
            continue
        if not isinstance(tid, str) or not re.fullmatch(re.escape(pid) + "[a-z]?", tid):
            c.error(where, f"task id must be its paragraph id '{pid}', with one letter when the paragraph holds several")
        check_quote(c, texts, pid, task["text"], f"{where}.text")
        owner = task["responsible_paragraph"]
        if check_paragraph_ref(c, texts, owner, f"{where}.responsible_paragraph") and not is_within(pid, owner):
            c.error(where, f"responsible_paragraph '{owner}' is neither the task's paragraph nor above it")
        check_units(c, texts, task["responsible"], owner, f"{where}.responsible")
        check_units(c, texts, task["coordinating"], pid, f"{where}.coordinating")
        check_deadline(c, plan, task["deadline"], texts, pid, f"{where}.deadline")
        for indicator in task["target_ids"] if isinstance(task["target_ids"], list) else [None]:
            if indicator not in targets:
                c.error(where, f"target_ids names '{indicator}', which is not a target of this plan")
                continue
            if targets[indicator]["paragraph"] != pid:
                c.error(where, f"target {indicator} is set in '{targets[indicator]['paragraph']}', not in '{pid}'")
            served.setdefault(indicator, []).append(tid)
    for indicator in targets:
        if len(served.get(indicator, [])) != 1:
            c.error("tasks", f"target {indicator} must be named by exactly one task, is by {served.get(indicator, [])}")
    if not ids:
        c.error("tasks", "the plan has no tasks")


def validate_plan(plan, name):
    c = PlanChecker(name)
    if not c.fields(plan, PLAN_FIELDS, "plan"):
        return c.errors
    texts = check_paragraphs(c, plan)
    check_header(c, plan, texts)
    targets = check_targets(c, plan, texts)
    check_tasks(c, plan, texts, targets)
    return c.errors


def validate_directory(plans_dir):
    errors = []
    plans = {}
    files = sorted(glob.glob(os.path.join(plans_dir, "*.json")))
    if not files:
        errors.append(f"{plans_dir}: no plan files")
    for path in files:
        name = os.path.basename(path)
        try:
            with open(path, encoding="utf-8") as f:
                raw = f.read()
            plan = json.loads(raw)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            errors.append(f"{name}: not readable UTF-8 JSON: {e}")
            continue
        if raw != json.dumps(plan, ensure_ascii=False, indent=2) + "\n":
            errors.append(f"{name}: not in the canonical layout (UTF-8, 2-space indent, non-ASCII as is, final newline)")
        errors += validate_plan(plan, name)
        plan_id = plan.get("id") if isinstance(plan, dict) else None
        if plan_id in plans:
            errors.append(f"{name}: plan id '{plan_id}' is also used by {plans[plan_id]}")
        plans[plan_id] = name
        if f"{plan_id}.json" != name:
            errors.append(f"{name}: the file is named after its plan id ('{plan_id}.json')")
    return errors, plans


def normalize(text):
    return " ".join(text.replace("*", "").split())


def check_against_seed(plan, seed_path):
    """By hand only: the seed plan's paragraphs occur in the seed text, in order."""
    errors = []
    with open(seed_path, "rb") as f:
        raw = f.read()
    expected = plan["source"].get("sha256")
    if expected and hashlib.sha256(raw).hexdigest() != expected:
        errors.append(f"{seed_path}: sha256 differs from the plan's source.sha256")
    seed = normalize(raw.decode("utf-8"))
    position = 0
    for paragraph in plan["paragraphs"]:
        found = seed.find(normalize(paragraph["text"]), position)
        if found < 0:
            errors.append(f"seed: paragraph {paragraph['id']} is not in the seed text after the previous one")
            continue
        position = found + 1
    return errors


# One way to break the seed plan per case, and a phrase the validator's message must contain.
def _set(path, value):
    def apply(plan):
        node = plan
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return apply


def _find_task(plan, tid):
    return next(task for task in plan["tasks"] if task["id"] == tid)


BREAKS = [
    ("a required field is missing", lambda p: p.pop("targets"), "missing field 'targets'"),
    ("an unknown field", _set(["period", "until"], "2030-12-31"), "unknown field 'until'"),
    ("an indicator twice", lambda p: p["targets"].append(copy.deepcopy(p["targets"][0])), "appears more than once"),
    ("an unknown indicator", _set(["targets", 0, "indicator"], "S17"), "unknown indicator 'S17'"),
    ("an impossible date", lambda p: _find_task(p, "II.1/2")["deadline"].update(date="2022-02-30"),
     "not a valid date"),
    ("a month's deadline not on its last day", lambda p: _find_task(p, "II.1/2")["deadline"].update(date="2022-11-15"),
     "not the last day of its month"),
    ("an unknown deadline kind", lambda p: _find_task(p, "II.1/2")["deadline"].update(kind="soon"),
     "unknown deadline kind 'soon'"),
    ("an unspecified deadline with a date", lambda p: _find_task(p, "II.2.3")["deadline"].update(date="2024-01-01"),
     "has no date and no precision"),
    ("a deadline not in the paragraph", lambda p: _find_task(p, "II.1/2")["deadline"].update(as_written="trong năm 2099"),
     "is not found in paragraph"),
    ("a source sentence not in its paragraph", _set(["targets", 0, "text"], "Có 99% cấp ủy"), "is not found in paragraph"),
    ("a ratio given as a percent", _set(["targets", 0, "value"], 100), "must be a number from 0 to 1"),
    ("a between without met_at", lambda p: next(t for t in p["targets"] if t["comparator"] == "between").pop("met_at"),
     "comparator 'between' takes"),
    ("a malformed paragraph id", _set(["paragraphs", 0, "id"], "II-3"), "malformed paragraph id"),
    ("a duplicate paragraph id", lambda p: p["paragraphs"].append(copy.deepcopy(p["paragraphs"][-1])),
     "duplicate paragraph id"),
    ("a paragraph out of sequence", lambda p: p["paragraphs"].pop(2), "out of sequence"),
    ("a dangling paragraph reference", lambda p: _find_task(p, "II.1/2").update(paragraph="II.9/1"),
     "unknown paragraph 'II.9/1'"),
    ("a duplicate task id", lambda p: p["tasks"].append(copy.deepcopy(p["tasks"][0])), "duplicate task id"),
    ("a task id not from its paragraph", lambda p: _find_task(p, "II.1/2").update(id="task-2"),
     "task id must be its paragraph id"),
    ("an unknown role", lambda p: _find_task(p, "II.1/2")["responsible"][0].update(role="ban_bi_mat"),
     "unknown role 'ban_bi_mat'"),
    ("a unit not named in its paragraph", lambda p: _find_task(p, "II.1/2")["responsible"][0].update(
        as_written="Ban Dân vận Huyện ủy"), "is not found in paragraph"),
    ("a target no task names", lambda p: [t.update(target_ids=[]) for t in p["tasks"] if "S1" in t["target_ids"]],
     "target S1 must be named by exactly one task"),
    ("a period backwards", _set(["period"], {"from": "2030-01-01", "to": "2022-01-01"}), "'from' is after 'to'"),
]


def check_breaks(seed_plan):
    """Each break of a copy of the seed plan must be reported; the intact copy must pass."""
    failures = []
    intact = validate_plan(copy.deepcopy(seed_plan), "intact copy")
    if intact:
        failures.append(f"the intact copy of the seed plan fails: {intact[:3]}")
    for label, apply, phrase in BREAKS:
        broken = copy.deepcopy(seed_plan)
        apply(broken)
        errors = validate_plan(broken, f"copy with {label}")
        if not any(phrase in error for error in errors):
            failures.append(f"the validator misses {label}: expected '{phrase}', got {errors[:3]}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", nargs="?", help="the repository checkout")
    parser.add_argument("--repo", help="the repository checkout (same as the positional argument)")
    parser.add_argument("--plans-dir", help="validate this directory instead of <checkout>/data/plans")
    parser.add_argument("--seed", help="the seed plan's text, to check the seed plan's paragraphs against it")
    args = parser.parse_args()
    repo = args.repo or args.checkout or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    plans_dir = args.plans_dir or os.path.join(repo, "data", "plans")

    errors, plans = validate_directory(plans_dir)
    seed_file = os.path.join(repo, "data", "plans", f"{SEED_PLAN_ID}.json")
    if not os.path.exists(seed_file):
        errors.append(f"{seed_file}: the seed plan is missing")
    else:
        with open(seed_file, encoding="utf-8") as f:
            seed_plan = json.load(f)
        errors += check_breaks(seed_plan)
        if args.seed:
            errors += check_against_seed(seed_plan, args.seed)
    for error in errors:
        print(f"FAIL {error}")
    print(f"{len(plans)} plan file(s) in {plans_dir}, {len(BREAKS)} broken copies, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
