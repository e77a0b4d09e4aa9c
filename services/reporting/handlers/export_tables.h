#pragma once
// The reporting figures as the tables of an export: Vietnamese headers,
// counts as integers, percentages as percent cells, the verdicts in words;
// and the files' ASCII names.
#include <cstdint>
#include <string>
#include <vector>

#include "common/export/table.h"
#include "grassroots/reporting/v1/reporting.pb.h"
#include "grassroots/reporting/v1/statistics.pb.h"

namespace grassroots::reporting {

namespace exporting = common::exporting;

// "Đạt", "Chưa đạt", ...
std::string AttainmentLabel(grassroots::reporting::v1::Attainment attainment);
// The plan's target in words ("≥ 90%", "≥ 1", "tăng so với năm trước"); empty without one.
std::string TargetText(const grassroots::reporting::v1::IndicatorResult& indicator);

std::vector<exporting::Column> ScorecardColumns();
exporting::Row ScorecardRow(const grassroots::reporting::v1::IndicatorResult& indicator);

std::vector<exporting::Column> BreakdownColumns();
exporting::Row BreakdownRow(const grassroots::reporting::v1::ScorecardBreakdown::Row& organization,
                            const grassroots::reporting::v1::IndicatorResult& indicator);

std::vector<exporting::Column> ShortfallColumns();
// `number`: its place in the list, from 1.
exporting::Row ShortfallRow(int64_t number, const grassroots::reporting::v1::Shortfall& shortfall);

// A statistics table: key, label, count, and the total last. `with_table`
// adds a first column naming the table (a CSV holds several one after another).
// A withheld count is the text "<N" (N = `min_cell_count`, the rule's threshold).
std::vector<exporting::Column> StatisticsColumns(bool with_table);
std::vector<exporting::Row> StatisticsRows(const grassroots::reporting::v1::StatisticsTable& table,
                                           int64_t min_cell_count, bool with_table);

// "chi-tieu-nq21-plan-seed-organizations-12-2025" (+ "-2025-06-30" for an
// as-of day, "-bao-cao-7" for a closed report): ASCII, no extension.
std::string ScorecardFileStem(const grassroots::reporting::v1::Scorecard& scorecard, bool as_of_day,
                              int64_t closed_report_id);
// "thong-ke-organizations-12-2025-12-31".
std::string StatisticsFileStem(const grassroots::reporting::v1::StatisticsHeader& header);
// Only [A-Za-z0-9._-] kept (anything else becomes "-"), lower case.
std::string AsciiFileName(const std::string& text);

}  // namespace grassroots::reporting
