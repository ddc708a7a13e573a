#include "connectors/mysql/mysql_splits.h"

#include <charconv>

#include <fmt/format.h>

#include "connectors/mysql/mysql_literal.h"

namespace sluice::mysql {
namespace {

constexpr std::string_view kPayloadVersion = "m1;";

void EncodeBound(const std::optional<std::string>& v, std::string& out) {
  if (!v) {
    out += '-';
    return;
  }
  out += fmt::format("{}:", v->size());
  out += *v;
}

bool DecodeBound(std::string_view& in, std::optional<std::string>& out) {
  if (in.empty()) return false;
  if (in.front() == '-') {
    in.remove_prefix(1);
    out.reset();
    return true;
  }
  size_t colon = in.find(':');
  size_t len = 0;
  if (colon == std::string_view::npos) return false;
  auto [p, ec] = std::from_chars(in.data(), in.data() + colon, len);
  if (ec != std::errc() || p != in.data() + colon) return false;
  in.remove_prefix(colon + 1);
  if (in.size() < len) return false;
  out = std::string(in.substr(0, len));
  in.remove_prefix(len);
  return true;
}

std::string Describe(const KeyRange& r, const std::optional<std::string>& first,
                     const std::string& key) {
  std::string text;
  if (r.low && r.high) {
    text = fmt::format("{} in [{}, {})", key, *r.low, *r.high);
  } else if (r.high) {
    text = first ? fmt::format("{} in [{}, {})", key, *first, *r.high)
                 : fmt::format("{} < {}", key, *r.high);
  } else if (r.low) {
    text = fmt::format("{} >= {}", key, *r.low);
  } else {
    text = "all rows";
  }
  if (r.with_nulls && (r.low || r.high)) text += fmt::format(" or {} is null", key);
  return text;
}

// The key `offset` rows into the keys >= `from` (all keys when absent), as the server's text;
// nullopt past the end.
Result<std::optional<std::string>> KeyAt(Connection& conn, const std::string& from_sql,
                                         std::vector<std::string> conditions, const KeySpec& key,
                                         const std::optional<std::string>& from, bool strictly,
                                         int64_t offset) {
  conditions.push_back(key.sql + " IS NOT NULL");
  if (from) conditions.push_back(fmt::format("{} {} {}", key.sql, strictly ? ">" : ">=", *from));
  SLUICE_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      conn.QueryRow(fmt::format("SELECT {0} FROM {1}{2} ORDER BY {0} LIMIT 1 "
                                "OFFSET {3}",
                                key.sql, from_sql, WhereClause(conditions), offset)));
  if (!row || !(*row)[0]) return std::optional<std::string>();
  return (*row)[0];
}

}  // namespace

std::string WhereClause(const std::vector<std::string>& conditions) {
  if (conditions.empty()) return "";
  std::string out = " WHERE ";
  for (size_t i = 0; i < conditions.size(); ++i) {
    if (i > 0) out += " AND ";
    out += conditions[i];
  }
  return out;
}

std::string KeyRange::Condition(const std::string& key_sql) const {
  std::string bounds;
  if (low) bounds = fmt::format("{} >= {}", key_sql, *low);
  if (high) bounds += fmt::format("{}{} < {}", bounds.empty() ? "" : " AND ", key_sql, *high);
  if (bounds.empty()) return "";  // unbounded: every row, NULL keys included
  if (with_nulls) return fmt::format("(({}) OR {} IS NULL)", bounds, key_sql);
  return "(" + bounds + ")";
}

std::string KeyRange::Encode() const {
  std::string out(kPayloadVersion);
  EncodeBound(low, out);
  EncodeBound(high, out);
  out += with_nulls ? 'n' : '-';
  return out;
}

Result<KeyRange> KeyRange::Decode(std::string_view payload) {
  KeyRange r;
  if (payload.empty()) {  // the single split of an unsplit read
    r.with_nulls = true;
    return r;
  }
  std::string_view in = payload;
  bool ok = in.starts_with(kPayloadVersion);
  if (ok) in.remove_prefix(kPayloadVersion.size());
  ok = ok && DecodeBound(in, r.low) && DecodeBound(in, r.high) && in.size() == 1;
  if (!ok) return Err(Status::Invalid("mysql source: invalid split payload '{}'", payload));
  r.with_nulls = in.front() == 'n';
  return r;
}

Result<std::vector<PlannedRange>> PlanKeyRanges(Connection& conn, const std::string& from_sql,
                                                const std::vector<std::string>& conditions,
                                                const KeySpec& key, int max_splits,
                                                int64_t& total_rows) {
  SLUICE_ASSIGN_OR_RETURN(std::optional<Row> counts,
                          conn.QueryRow(fmt::format("SELECT COUNT(*), COUNT({}) FROM {}{}", key.sql,
                                                    from_sql, WhereClause(conditions))));
  int64_t total = 0, keyed = 0;
  if (counts && (*counts)[0] && (*counts)[1]) {
    std::from_chars((*counts)[0]->data(), (*counts)[0]->data() + (*counts)[0]->size(), total);
    std::from_chars((*counts)[1]->data(), (*counts)[1]->data() + (*counts)[1]->size(), keyed);
  }
  total_rows = total;
  const int64_t parts = std::min<int64_t>(max_splits, keyed);
  if (parts <= 1) {
    PlannedRange all;
    all.range.with_nulls = true;
    all.rows = total;
    all.description = "all rows";
    return std::vector<PlannedRange>{std::move(all)};
  }

  // Each boundary is `step` rows past the previous one, so the plan walks the keys once.
  const int64_t step = keyed / parts;
  std::optional<std::string> first;
  {
    SLUICE_ASSIGN_OR_RETURN(first, KeyAt(conn, from_sql, conditions, key, std::nullopt, false, 0));
  }
  std::vector<std::string> bounds;  // server text of each boundary key
  std::optional<std::string> prev = first;
  std::optional<std::string> prev_literal =
      first ? LiteralFromServerText(key.kind, *first) : std::nullopt;
  for (int64_t part = 1; part < parts && prev_literal; ++part) {
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> next,
                            KeyAt(conn, from_sql, conditions, key, prev_literal, false, step));
    if (next && *next == *prev) {
      // More than `step` rows share the previous key: the next distinct key cuts instead.
      SLUICE_ASSIGN_OR_RETURN(next, KeyAt(conn, from_sql, conditions, key, prev_literal, true, 0));
    }
    if (!next) break;
    bounds.push_back(*next);
    prev = next;
    prev_literal = LiteralFromServerText(key.kind, *next);
  }

  std::vector<PlannedRange> ranges;
  const std::optional<std::string> first_literal =
      first ? LiteralFromServerText(key.kind, *first) : std::nullopt;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    PlannedRange p;
    if (i > 0) p.range.low = LiteralFromServerText(key.kind, bounds[i - 1]);
    if (i < bounds.size()) p.range.high = LiteralFromServerText(key.kind, bounds[i]);
    p.range.with_nulls = i == 0 && key.nullable;
    p.rows = i < bounds.size() ? step : keyed - step * static_cast<int64_t>(bounds.size());
    if (i == 0) p.rows += total - keyed;
    p.description = Describe(p.range, i == 0 ? first_literal : std::nullopt, key.label);
    ranges.push_back(std::move(p));
  }
  return ranges;
}

}  // namespace sluice::mysql
