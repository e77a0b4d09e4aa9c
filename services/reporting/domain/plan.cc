#include "services/reporting/domain/plan.h"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/api.h"

#ifndef GRASSROOTS_DEFAULT_PLAN_FILE
#define GRASSROOTS_DEFAULT_PLAN_FILE "data/plans/nq21-plan-seed.json"
#endif

namespace grassroots::reporting::domain {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kFormat = "grassroots.plan/1";

const std::set<std::string>& Levels() {
  static const std::set<std::string> levels = {"PROVINCE", "DISTRICT", "COMMUNE", "UPPER_GRASSROOTS",
                                               "GRASSROOTS", "PARTIAL", "CELL"};
  return levels;
}

const std::set<std::string>& Roles() {
  static const std::set<std::string> roles = {
      "ban_thuong_vu", "thuong_truc",      "uy_vien_ban_chap_hanh", "ban_to_chuc",       "ban_tuyen_giao",
      "ubkt",          "van_phong_cap_uy", "cap_uy_to_chuc_dang",   "cap_uy_co_so",      "bi_thu_co_so",
      "co_quan_don_vi", "co_quan_tham_muu", "co_quan_lien_quan",    "hdnd",              "ubnd",
      "mttq",          "doan_the"};
  return roles;
}

const std::set<std::string>& DeadlineKinds() {
  static const std::set<std::string> kinds = {"done",   "by_date",     "from_date",          "ongoing",
                                              "yearly", "within_term", "on_higher_guidance", "unspecified"};
  return kinds;
}

const std::set<std::string>& Comparisons() {
  static const std::set<std::string> comparisons = {">=", ">", "=", "<=", "<"};
  return comparisons;
}

const std::set<std::string>& Comparators() {
  static const std::set<std::string> comparators = {">=", ">", "=", "<=", "<", "between", "rising_year_on_year",
                                                    "reported"};
  return comparators;
}

std::string OneOf(const std::set<std::string>& allowed) {
  return absl::StrCat("must be one of ", absl::StrJoin(allowed, ", "));
}

absl::Status Invalid(const std::string& path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", problem));
}

std::string Child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", std::string(key));
}

std::string Item(const std::string& path, size_t index) { return absl::StrCat(path, "[", index, "]"); }

// Reads the fields of one JSON object, each error naming the field's path.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const { return Child(path_, key); }

  const Json* Find(std::string_view key) const {
    auto it = object_.find(std::string(key));
    return it == object_.end() ? nullptr : &*it;
  }
  bool IsNullOrMissing(std::string_view key) const {
    const Json* value = Find(key);
    return value == nullptr || value->is_null();
  }

  absl::StatusOr<std::string> String(std::string_view key, bool allow_empty = false) const {
    const Json* value = Find(key);
    if (value == nullptr || !value->is_string()) return Invalid(PathOf(key), "must be a string");
    std::string text = value->get<std::string>();
    if (text.empty() && !allow_empty) return Invalid(PathOf(key), "must not be empty");
    return text;
  }
  absl::StatusOr<std::optional<std::string>> OptionalString(std::string_view key) const {
    if (IsNullOrMissing(key)) return std::optional<std::string>();
    absl::StatusOr<std::string> text = String(key, true);
    if (!text.ok()) return Invalid(PathOf(key), "must be a string or null");
    return std::optional<std::string>(*text);
  }
  absl::StatusOr<std::string> Keyword(std::string_view key, const std::set<std::string>& allowed) const {
    const Json* value = Find(key);
    if (value == nullptr || !value->is_string() || !allowed.contains(value->get<std::string>()))
      return Invalid(PathOf(key), OneOf(allowed));
    return value->get<std::string>();
  }
  absl::StatusOr<std::optional<absl::CivilDay>> OptionalDate(std::string_view key) const {
    if (IsNullOrMissing(key)) return std::optional<absl::CivilDay>();
    const Json* value = Find(key);
    if (!value->is_string()) return Invalid(PathOf(key), "must be a date YYYY-MM-DD or null");
    absl::StatusOr<absl::CivilDay> day = common::api::ParseDate(value->get<std::string>(), PathOf(key));
    if (!day.ok()) return Invalid(PathOf(key), "must be a date YYYY-MM-DD or null");
    return std::optional<absl::CivilDay>(*day);
  }
  absl::StatusOr<std::optional<int>> OptionalYear(std::string_view key) const {
    if (IsNullOrMissing(key)) return std::optional<int>();
    const Json* value = Find(key);
    if (!value->is_number_integer() || value->get<int64_t>() < 1 || value->get<int64_t>() > 9999)
      return Invalid(PathOf(key), "must be a year (an integer) or null");
    return std::optional<int>(value->get<int>());
  }
  absl::StatusOr<double> Number(std::string_view key) const {
    const Json* value = Find(key);
    if (value == nullptr || !value->is_number()) return Invalid(PathOf(key), "must be a number");
    return value->get<double>();
  }
  absl::StatusOr<bool> Bool(std::string_view key) const {
    const Json* value = Find(key);
    if (value == nullptr || !value->is_boolean()) return Invalid(PathOf(key), "must be true or false");
    return value->get<bool>();
  }
  absl::StatusOr<const Json*> Array(std::string_view key) const {
    const Json* value = Find(key);
    if (value == nullptr || !value->is_array()) return Invalid(PathOf(key), "must be a list");
    return value;
  }
  absl::StatusOr<ObjectReader> Object(std::string_view key) const { return ObjectAt(Find(key), PathOf(key)); }

  static absl::StatusOr<ObjectReader> ObjectAt(const Json* value, std::string path) {
    if (value == nullptr || !value->is_object()) return Invalid(path, "must be an object");
    return ObjectReader(*value, std::move(path));
  }

 private:
  const Json& object_;
  std::string path_;
};

#define PLAN_ASSIGN_OR_RETURN(lhs, expr) \
  auto lhs##_or = (expr);                \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = std::move(*lhs##_or)

bool ReadNumber(std::string_view text, size_t& at) {
  if (at >= text.size() || text[at] < '1' || text[at] > '9') return false;
  while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
  return true;
}

// ROMAN ("." N)* ("/" N ("." N)?)?, N from 1 (README, "Paragraph ids").
bool IsParagraphId(std::string_view text) {
  size_t at = 0;
  while (at < text.size() && std::string_view("IVXLCDM").find(text[at]) != std::string_view::npos) ++at;
  if (at == 0) return false;
  while (at < text.size() && text[at] == '.') {
    ++at;
    if (!ReadNumber(text, at)) return false;
  }
  if (at < text.size() && text[at] == '/') {
    ++at;
    if (!ReadNumber(text, at)) return false;
    if (at < text.size() && text[at] == '.') {
      ++at;
      if (!ReadNumber(text, at)) return false;
    }
  }
  return at == text.size();
}

bool IsPlanId(std::string_view id) {
  if (id.empty()) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(id[0])) return false;
  for (char c : id)
    if (!lower_or_digit(c) && c != '-') return false;
  return true;
}

absl::StatusOr<std::string> ParagraphRef(const ObjectReader& reader, std::string_view key, const Plan& plan) {
  PLAN_ASSIGN_OR_RETURN(id, reader.String(key));
  if (plan.ParagraphText(id) == nullptr) return Invalid(reader.PathOf(key), absl::StrCat("names no paragraph: ", id));
  return id;
}

absl::StatusOr<std::vector<PlanUnit>> ReadUnits(const ObjectReader& reader, std::string_view key) {
  PLAN_ASSIGN_OR_RETURN(list, reader.Array(key));
  std::vector<PlanUnit> units;
  for (size_t i = 0; i < list->size(); ++i) {
    PLAN_ASSIGN_OR_RETURN(unit, ObjectReader::ObjectAt(&(*list)[i], Item(reader.PathOf(key), i)));
    PLAN_ASSIGN_OR_RETURN(as_written, unit.String("as_written"));
    PLAN_ASSIGN_OR_RETURN(role, unit.Keyword("role", Roles()));
    units.push_back({as_written, role});
  }
  return units;
}

absl::Status ReadParagraphs(const ObjectReader& root, Plan& plan) {
  PLAN_ASSIGN_OR_RETURN(list, root.Array("paragraphs"));
  std::set<std::string> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    PLAN_ASSIGN_OR_RETURN(paragraph, ObjectReader::ObjectAt(&(*list)[i], Item("paragraphs", i)));
    PLAN_ASSIGN_OR_RETURN(id, paragraph.String("id"));
    if (!IsParagraphId(id)) return Invalid(paragraph.PathOf("id"), "must be a paragraph id such as II.3.1/7");
    if (!seen.insert(id).second) return Invalid(paragraph.PathOf("id"), absl::StrCat("repeats ", id));
    PLAN_ASSIGN_OR_RETURN(text, paragraph.String("text"));
    plan.paragraphs.push_back({id, text});
  }
  return absl::OkStatus();
}

absl::Status ReadTargets(const ObjectReader& root, Plan& plan) {
  PLAN_ASSIGN_OR_RETURN(list, root.Array("targets"));
  for (size_t i = 0; i < list->size(); ++i) {
    PLAN_ASSIGN_OR_RETURN(entry, ObjectReader::ObjectAt(&(*list)[i], Item("targets", i)));
    PLAN_ASSIGN_OR_RETURN(indicator_id, entry.String("indicator"));
    absl::StatusOr<Indicator> indicator = ParseIndicatorId(indicator_id);
    if (!indicator.ok()) return Invalid(entry.PathOf("indicator"), indicator.status().message());
    if (plan.targets.contains(*indicator))
      return Invalid(entry.PathOf("indicator"), absl::StrCat(indicator_id, " has a target already"));

    Target target;
    PLAN_ASSIGN_OR_RETURN(unit, entry.Keyword("unit", {"ratio", "count"}));
    target.unit = unit;
    if ((unit == "count") != IsCount(*indicator))
      return Invalid(entry.PathOf("unit"), absl::StrCat(indicator_id, " is a ", IsCount(*indicator) ? "count" : "ratio"));
    auto in_range = [&](double value, const std::string& path) -> absl::Status {
      if (unit == "ratio" && (value < 0 || value > 1)) return Invalid(path, "a ratio must lie in 0..1");
      if (value < 0) return Invalid(path, "a count must not be negative");
      return absl::OkStatus();
    };
    PLAN_ASSIGN_OR_RETURN(comparator, entry.Keyword("comparator", Comparators()));
    target.comparator = comparator;
    if (Comparisons().contains(comparator)) {
      PLAN_ASSIGN_OR_RETURN(value, entry.Number("value"));
      if (absl::Status status = in_range(value, entry.PathOf("value")); !status.ok()) return status;
      target.value = value;
    } else if (comparator == "between") {
      PLAN_ASSIGN_OR_RETURN(low, entry.Number("low"));
      PLAN_ASSIGN_OR_RETURN(high, entry.Number("high"));
      if (absl::Status status = in_range(low, entry.PathOf("low")); !status.ok()) return status;
      if (absl::Status status = in_range(high, entry.PathOf("high")); !status.ok()) return status;
      if (high < low) return Invalid(entry.PathOf("high"), "must not be below low");
      PLAN_ASSIGN_OR_RETURN(met_at, entry.Object("met_at"));
      PLAN_ASSIGN_OR_RETURN(met_comparator, met_at.Keyword("comparator", Comparisons()));
      PLAN_ASSIGN_OR_RETURN(met_value, met_at.Number("value"));
      if (met_value < low || met_value > high) return Invalid(met_at.PathOf("value"), "must lie in low..high");
      target.low = low;
      target.high = high;
      target.met_comparator = met_comparator;
      target.met_value = met_value;
    }
    PLAN_ASSIGN_OR_RETURN(window, entry.Keyword("window", {"year", "term"}));
    if (window == "term" && !plan.term_from_year)
      return Invalid(entry.PathOf("window"), "a term window needs the plan's term");
    target.window = window;
    PLAN_ASSIGN_OR_RETURN(from_year, entry.OptionalYear("from_year"));
    PLAN_ASSIGN_OR_RETURN(by_year, entry.OptionalYear("by_year"));
    target.from_year = from_year;
    target.by_year = by_year;
    PLAN_ASSIGN_OR_RETURN(paragraph, ParagraphRef(entry, "paragraph", plan));
    PLAN_ASSIGN_OR_RETURN(text, entry.String("text"));
    target.paragraph = paragraph;
    target.text = text;
    plan.targets.emplace(*indicator, std::move(target));
  }
  return absl::OkStatus();
}

// The date a dated deadline kind carries: the last day of its month or year
// (done, by_date) or the first (from_date), as its precision says.
bool DateFitsPrecision(const std::string& kind, const std::string& precision, absl::CivilDay date) {
  bool first = kind == "from_date";
  if (precision == "day") return true;
  if (precision == "month") return first ? date.day() == 1 : (date + 1).day() == 1;
  return first ? (date.month() == 1 && date.day() == 1) : (date.month() == 12 && date.day() == 31);
}

absl::StatusOr<PlanDeadline> ReadDeadline(const ObjectReader& task, const Plan& plan) {
  PLAN_ASSIGN_OR_RETURN(reader, task.Object("deadline"));
  PlanDeadline deadline;
  PLAN_ASSIGN_OR_RETURN(kind, reader.Keyword("kind", DeadlineKinds()));
  deadline.kind = kind;
  PLAN_ASSIGN_OR_RETURN(as_written, reader.String("as_written", /*allow_empty=*/true));
  if ((kind == "unspecified") != as_written.empty())
    return Invalid(reader.PathOf("as_written"), kind == "unspecified" ? "must be \"\" for unspecified"
                                                                       : "must quote the source");
  deadline.as_written = as_written;
  PLAN_ASSIGN_OR_RETURN(in_parentheses, reader.Bool("in_parentheses"));
  deadline.in_parentheses = in_parentheses;
  PLAN_ASSIGN_OR_RETURN(date, reader.OptionalDate("date"));
  bool dated = kind == "done" || kind == "by_date" || kind == "from_date";
  if (dated != date.has_value())
    return Invalid(reader.PathOf("date"), dated ? absl::StrCat("a ", kind, " deadline needs a date")
                                                : absl::StrCat("must be null for ", kind));
  deadline.date = date;
  if (dated) {
    PLAN_ASSIGN_OR_RETURN(precision, reader.Keyword("precision", {"day", "month", "year"}));
    if (!DateFitsPrecision(kind, precision, *date))
      return Invalid(reader.PathOf("date"), absl::StrCat("must be the ", kind == "from_date" ? "first" : "last",
                                                         " day of its ", precision));
    deadline.precision = precision;
  } else if (!reader.IsNullOrMissing("precision")) {
    return Invalid(reader.PathOf("precision"), "must be null without a date");
  }
  if (kind == "within_term" && !plan.term_from_year)
    return Invalid(reader.PathOf("kind"), "within_term needs the plan's term");
  return deadline;
}

absl::Status ReadTasks(const ObjectReader& root, Plan& plan) {
  PLAN_ASSIGN_OR_RETURN(list, root.Array("tasks"));
  std::set<std::string> seen;
  std::map<Indicator, std::string> named_by;  // target -> the task path naming it
  for (size_t i = 0; i < list->size(); ++i) {
    PLAN_ASSIGN_OR_RETURN(entry, ObjectReader::ObjectAt(&(*list)[i], Item("tasks", i)));
    PlanTask task;
    PLAN_ASSIGN_OR_RETURN(paragraph, ParagraphRef(entry, "paragraph", plan));
    task.paragraph = paragraph;
    PLAN_ASSIGN_OR_RETURN(id, entry.String("id"));
    bool lettered = id.size() == paragraph.size() + 1 && id.back() >= 'a' && id.back() <= 'z';
    if (id.compare(0, paragraph.size(), paragraph) != 0 || !(id.size() == paragraph.size() || lettered))
      return Invalid(entry.PathOf("id"), "must be its paragraph's id, plus one letter when the paragraph holds several tasks");
    if (!seen.insert(id).second) return Invalid(entry.PathOf("id"), absl::StrCat("repeats ", id));
    task.id = id;
    PLAN_ASSIGN_OR_RETURN(text, entry.String("text"));
    task.text = text;
    PLAN_ASSIGN_OR_RETURN(responsible, ReadUnits(entry, "responsible"));
    task.responsible = std::move(responsible);
    PLAN_ASSIGN_OR_RETURN(responsible_paragraph, ParagraphRef(entry, "responsible_paragraph", plan));
    task.responsible_paragraph = responsible_paragraph;
    PLAN_ASSIGN_OR_RETURN(coordinating, ReadUnits(entry, "coordinating"));
    task.coordinating = std::move(coordinating);
    PLAN_ASSIGN_OR_RETURN(deadline, ReadDeadline(entry, plan));
    task.deadline = std::move(deadline);
    PLAN_ASSIGN_OR_RETURN(target_ids, entry.Array("target_ids"));
    for (size_t k = 0; k < target_ids->size(); ++k) {
      std::string path = Item(entry.PathOf("target_ids"), k);
      const Json& target_id = (*target_ids)[k];
      if (!target_id.is_string()) return Invalid(path, "must be an indicator id");
      absl::StatusOr<Indicator> indicator = ParseIndicatorId(target_id.get<std::string>());
      if (!indicator.ok()) return Invalid(path, indicator.status().message());
      if (!plan.targets.contains(*indicator))
        return Invalid(path, absl::StrCat("names no target of the plan: ", target_id.get<std::string>()));
      auto [it, inserted] = named_by.emplace(*indicator, entry.path());
      if (!inserted)
        return Invalid(path, absl::StrCat(target_id.get<std::string>(), " is named by ", it->second, " already"));
      task.target_ids.push_back(*indicator);
    }
    plan.tasks.push_back(std::move(task));
  }
  for (const auto& [indicator, target] : plan.targets)
    if (!named_by.contains(indicator))
      return Invalid("targets", absl::StrCat(IndicatorId(indicator), " is named by no task's target_ids"));
  return absl::OkStatus();
}

absl::Status ReadHeader(const ObjectReader& root, Plan& plan) {
  const Json* format = root.Find("format");
  if (format == nullptr || !format->is_string() || format->get<std::string>() != kFormat)
    return Invalid("format", absl::StrCat("must be \"", std::string(kFormat), "\""));
  PLAN_ASSIGN_OR_RETURN(id, root.String("id"));
  if (!IsPlanId(id)) return Invalid("id", "must match [a-z0-9][a-z0-9-]*");
  plan.id = id;
  PLAN_ASSIGN_OR_RETURN(title, root.String("title"));
  plan.title = title;
  PLAN_ASSIGN_OR_RETURN(issuing, root.Object("issuing_body"));
  PLAN_ASSIGN_OR_RETURN(issuing_as_written, issuing.String("as_written"));
  PLAN_ASSIGN_OR_RETURN(issuing_role, issuing.Keyword("role", Roles()));
  PLAN_ASSIGN_OR_RETURN(issuing_level, issuing.Keyword("level", Levels()));
  plan.issuing_as_written = issuing_as_written;
  plan.issuing_role = issuing_role;
  plan.issuing_level = issuing_level;
  PLAN_ASSIGN_OR_RETURN(document_number, root.OptionalString("document_number"));
  plan.document_number = document_number;
  PLAN_ASSIGN_OR_RETURN(date_signed, root.OptionalDate("date_signed"));
  (void)date_signed;
  PLAN_ASSIGN_OR_RETURN(applies_to, root.Object("applies_to"));
  PLAN_ASSIGN_OR_RETURN(applies_to_level, applies_to.Keyword("level", Levels()));
  plan.applies_to_level = applies_to_level;
  PLAN_ASSIGN_OR_RETURN(period, root.Object("period"));
  PLAN_ASSIGN_OR_RETURN(period_from, period.OptionalDate("from"));
  PLAN_ASSIGN_OR_RETURN(period_to, period.OptionalDate("to"));
  if (period_from && period_to && *period_to < *period_from) return Invalid("period.to", "is before period.from");
  plan.period_from = period_from;
  plan.period_to = period_to;
  if (!root.IsNullOrMissing("term")) {
    PLAN_ASSIGN_OR_RETURN(term, root.Object("term"));
    PLAN_ASSIGN_OR_RETURN(from_year, term.OptionalYear("from_year"));
    if (!from_year) return Invalid("term.from_year", "must be a year (an integer)");
    PLAN_ASSIGN_OR_RETURN(to_year, term.OptionalYear("to_year"));
    if (to_year && *to_year < *from_year) return Invalid("term.to_year", "is before term.from_year");
    plan.term_from_year = from_year;
    plan.term_to_year = to_year;
  }
  return absl::OkStatus();
}

}  // namespace

std::optional<absl::CivilDay> Plan::TermFrom() const {
  if (!term_from_year) return std::nullopt;
  return absl::CivilDay(*term_from_year, 1, 1);
}

const Target* Plan::FindTarget(Indicator indicator) const {
  auto it = targets.find(indicator);
  return it == targets.end() ? nullptr : &it->second;
}

const std::string* Plan::ParagraphText(std::string_view paragraph_id) const {
  for (const PlanParagraph& paragraph : paragraphs)
    if (paragraph.id == paragraph_id) return &paragraph.text;
  return nullptr;
}

absl::StatusOr<Plan> ParsePlan(std::string_view json_text) {
  Json document = Json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return absl::InvalidArgumentError("plan: not valid JSON");
  if (!document.is_object()) return Invalid("plan", "must be a JSON object");
  const ObjectReader root(document, "");
  Plan plan;
  if (absl::Status status = ReadHeader(root, plan); !status.ok()) return status;
  if (absl::Status status = ReadParagraphs(root, plan); !status.ok()) return status;
  if (absl::Status status = ReadTargets(root, plan); !status.ok()) return status;
  if (absl::Status status = ReadTasks(root, plan); !status.ok()) return status;
  return plan;
}

absl::StatusOr<Plan> LoadPlanFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read plan file ", path));
  std::ostringstream content;
  content << in.rdbuf();
  absl::StatusOr<Plan> plan = ParsePlan(content.str());
  if (!plan.ok()) return absl::Status(plan.status().code(), absl::StrCat(path, ": ", plan.status().message()));
  return plan;
}

std::string DefaultPlanPath() { return GRASSROOTS_DEFAULT_PLAN_FILE; }

}  // namespace grassroots::reporting::domain
