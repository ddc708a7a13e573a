#include "verify/verify_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace sluice::verify {
namespace {

std::string DifferenceLine(const Difference& d) {
  std::string line = fmt::format("  {} {}", DifferenceKindName(d.kind), d.key);
  for (size_t i = 0; i < d.changes.size(); ++i) {
    const ColumnChange& c = d.changes[i];
    line += fmt::format("{} {} {} -> {}", i == 0 ? ":" : ",", c.column, c.source, c.target);
  }
  return line;
}

std::string CountsText(const TableVerdict& t) {
  std::vector<std::string> parts;
  if (t.missing > 0) parts.push_back(fmt::format("{} missing", WithThousands(t.missing)));
  if (t.extra > 0) parts.push_back(fmt::format("{} extra", WithThousands(t.extra)));
  if (t.changed > 0) parts.push_back(fmt::format("{} changed", WithThousands(t.changed)));
  if (parts.empty() && t.unreadable_source + t.unreadable_target == 0) {
    return "no differing row found";
  }
  std::string out;
  if (!parts.empty()) {
    out = fmt::format("{}{}", t.counts_complete ? "" : "at least ", fmt::join(parts, ", "));
  }
  for (const auto& [n, side] :
       {std::pair{t.unreadable_source, "source"}, std::pair{t.unreadable_target, "target"}}) {
    if (n == 0) continue;
    out += fmt::format("{}{} unreadable {} row{}", out.empty() ? "" : ", ", WithThousands(n), side,
                       n == 1 ? "" : "s");
  }
  return out;
}

// The lines under a table's verdict about rows that could not be read and values a rule of
// the job replaced.
std::string UnreadableAndExplainedText(const TableVerdict& t) {
  std::string out;
  if (t.unreadable_source > 0) {
    out += fmt::format(
        "  unreadable source rows: {} (a run rejects them: they are not in the target), first: "
        "{}\n",
        WithThousands(t.unreadable_source), t.first_unreadable_source);
  }
  if (t.unreadable_target > 0) {
    out += fmt::format("  unreadable target rows: {}, first: {}\n",
                       WithThousands(t.unreadable_target), t.first_unreadable_target);
  }
  for (const Substitution& s : t.explained) {
    out += fmt::format(
        "  explained: {} value{} read as NULL as the job's {} rule says (not counted as "
        "differences), first: {}\n",
        WithThousands(s.values), s.values == 1 ? "" : "s", s.rule, s.example);
  }
  return out;
}

std::string TableText(const TableVerdict& t) {
  std::string out;
  switch (t.outcome) {
    case TableVerdict::Outcome::kOk:
      out = fmt::format("{}  OK  {} rows  {:.1f} s\n", t.table, WithThousands(t.source_rows),
                        t.seconds);
      break;
    case TableVerdict::Outcome::kDifferent: {
      out = fmt::format("{}  DIFFERENT  source {} rows, target {}: {}  {:.1f} s\n", t.table,
                        WithThousands(t.source_rows), WithThousands(t.target_rows), CountsText(t),
                        t.seconds);
      for (const Difference& d : t.differences) out += DifferenceLine(d) + "\n";
      const int64_t total = t.missing + t.extra + t.changed;
      const int64_t hidden = total - static_cast<int64_t>(t.differences.size());
      if (hidden > 0) out += fmt::format("  ... and {} more\n", WithThousands(hidden));
      if (t.key.empty()) {
        out += fmt::format("  ({})\n", t.key_origin);
      } else {
        out += fmt::format("  (rows matched on {}: {})\n", fmt::join(t.key, ", "), t.key_origin);
      }
      break;
    }
    case TableVerdict::Outcome::kFailed:
      out = fmt::format("{}  FAILED  {}\n", t.table, t.error.message());
      break;
  }
  out += UnreadableAndExplainedText(t);
  for (const std::string& note : t.notes) out += fmt::format("  note: {}\n", note);
  return out;
}

}  // namespace

bool VerifyReport::all_equal() const {
  for (const TableVerdict& t : tables) {
    if (t.outcome != TableVerdict::Outcome::kOk) return false;
  }
  return true;
}

std::string WithThousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

std::string ReportText(const VerifyReport& report) {
  std::string out;
  int counts[3] = {0, 0, 0};
  int64_t rows = 0;
  for (const TableVerdict& t : report.tables) {
    out += TableText(t);
    ++counts[static_cast<int>(t.outcome)];
    rows += t.source_rows;
  }
  out += fmt::format(
      "verify: {} table{}, {} OK, {} DIFFERENT, {} FAILED; {} source rows in {:.1f} s\n",
      report.tables.size(), report.tables.size() == 1 ? "" : "s", counts[0], counts[1], counts[2],
      WithThousands(rows), report.seconds);
  return out;
}

std::string ReportJson(const VerifyReport& report) {
  nlohmann::ordered_json j;
  j["job"] = report.job;
  j["equal"] = report.all_equal();
  j["seconds"] = report.seconds;
  j["tables"] = nlohmann::ordered_json::array();
  for (const TableVerdict& t : report.tables) {
    nlohmann::ordered_json table;
    table["table"] = t.table;
    table["verdict"] = OutcomeName(t.outcome);
    if (t.outcome == TableVerdict::Outcome::kFailed) table["error"] = t.error.message();
    table["source_rows"] = t.source_rows;
    table["target_rows"] = t.target_rows;
    table["missing"] = t.missing;
    table["extra"] = t.extra;
    table["changed"] = t.changed;
    table["unreadable_source_rows"] = t.unreadable_source;
    table["unreadable_target_rows"] = t.unreadable_target;
    if (t.unreadable_source > 0) table["first_unreadable_source"] = t.first_unreadable_source;
    if (t.unreadable_target > 0) table["first_unreadable_target"] = t.first_unreadable_target;
    table["explained"] = nlohmann::ordered_json::array();
    for (const Substitution& s : t.explained) {
      table["explained"].push_back({{"rule", s.rule}, {"values", s.values}, {"first", s.example}});
    }
    table["counts_complete"] = t.counts_complete;
    table["key"] = t.key;
    table["key_origin"] = t.key_origin;
    table["buckets"] = t.buckets;
    table["differing_buckets"] = t.differing_buckets;
    table["seconds"] = t.seconds;
    nlohmann::ordered_json diffs = nlohmann::ordered_json::array();
    for (const Difference& d : t.differences) {
      nlohmann::ordered_json diff;
      diff["kind"] = DifferenceKindName(d.kind);
      diff["key"] = d.key;
      if (d.kind == Difference::Kind::kChanged) {
        diff["columns"] = nlohmann::ordered_json::array();
        for (const ColumnChange& c : d.changes) {
          diff["columns"].push_back(
              {{"column", c.column}, {"source", c.source}, {"target", c.target}});
        }
      }
      diffs.push_back(std::move(diff));
    }
    table["differences"] = std::move(diffs);
    table["notes"] = t.notes;
    j["tables"].push_back(std::move(table));
  }
  // Invalid UTF-8 in a shown value must not make dump() throw.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace sluice::verify
