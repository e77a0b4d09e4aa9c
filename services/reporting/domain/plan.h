#pragma once
// Plans as data (data/plans/README.md): a committee's plan with its targets
// (the scorecard's) and its tasks, read from a "grassroots.plan/1" JSON file.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/reporting/domain/scorecard.h"

namespace grassroots::reporting::domain {

// A unit that carries out (or takes part in) a task: as written, and its role key.
struct PlanUnit {
  std::string as_written;
  std::string role;
};

// A task's deadline; kind is one of the README's table ("done", "by_date",
// "from_date", "ongoing", "yearly", "within_term", "on_higher_guidance", "unspecified").
struct PlanDeadline {
  std::string kind;
  std::string as_written;
  bool in_parentheses = false;
  std::optional<absl::CivilDay> date;  // done, by_date: the last day; from_date: the first day
  std::string precision;               // "day", "month", "year"; "" without a date
};

struct PlanTask {
  std::string id;
  std::string paragraph;
  std::string text;
  std::vector<PlanUnit> responsible;
  std::string responsible_paragraph;
  std::vector<PlanUnit> coordinating;
  PlanDeadline deadline;
  std::vector<Indicator> target_ids;  // the targets it serves, by indicator
};

struct PlanParagraph {
  std::string id;
  std::string text;
};

struct Plan {
  std::string id;
  std::string title;
  std::optional<std::string> document_number;
  std::string issuing_as_written;
  std::string issuing_role;
  std::string issuing_level;
  std::string applies_to_level;
  std::optional<absl::CivilDay> period_from;
  std::optional<absl::CivilDay> period_to;
  // The congress term the plan names (needed by "term" targets and "within_term" deadlines).
  std::optional<int> term_from_year;
  std::optional<int> term_to_year;
  std::map<Indicator, Target> targets;
  std::vector<PlanTask> tasks;
  std::vector<PlanParagraph> paragraphs;  // in document order

  // 1 January of the term's first year: where S7's and S8's "term" window starts. None without a term.
  std::optional<absl::CivilDay> TermFrom() const;
  // The plan's target for `indicator`, nullptr when it sets none (Judge's argument).
  const Target* FindTarget(Indicator indicator) const;
  // A paragraph's text by id, nullptr when there is none.
  const std::string* ParagraphText(std::string_view paragraph_id) const;
};

// INVALID_ARGUMENT naming the JSON path ("targets[3].comparator") when the text is not a valid plan.
absl::StatusOr<Plan> ParsePlan(std::string_view json_text);
// NOT_FOUND when the file cannot be read; ParsePlan's errors prefixed with the path.
absl::StatusOr<Plan> LoadPlanFile(const std::string& path);
// The repository's seed plan (data/plans/nq21-plan-seed.json), as configured at build time.
std::string DefaultPlanPath();

}  // namespace grassroots::reporting::domain
