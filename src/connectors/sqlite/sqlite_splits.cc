#include "connectors/sqlite/sqlite_splits.h"

#include <bit>
#include <charconv>

#include <fmt/format.h>

namespace sluice::sqlite {
namespace {

constexpr std::string_view kPayloadVersion = "r1;";

void EncodeValue(const std::optional<SqlValue>& v, std::string& out) {
  if (!v) {
    out += '-';
    return;
  }
  std::string body;
  char tag = 'z';
  switch (v->kind) {
    case SqlValue::Kind::kNull:
      break;
    case SqlValue::Kind::kInt:
      tag = 'i';
      body = std::to_string(v->i);
      break;
    case SqlValue::Kind::kReal:  // bits, so the boundary is exact
      tag = 'r';
      body = fmt::format("{:016x}", std::bit_cast<uint64_t>(v->r));
      break;
    case SqlValue::Kind::kText:
      tag = 't';
      body = v->s;
      break;
    case SqlValue::Kind::kBlob:
      tag = 'b';
      body = v->s;
      break;
  }
  out += tag;
  out += std::to_string(body.size());
  out += ':';
  out += body;
}

template <typename T>
bool ParseNumber(std::string_view text, T& out, int base = 10) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && p == text.data() + text.size();
}

bool DecodeValue(std::string_view& in, std::optional<SqlValue>& out) {
  if (in.empty()) return false;
  char tag = in.front();
  in.remove_prefix(1);
  if (tag == '-') {
    out.reset();
    return true;
  }
  size_t colon = in.find(':');
  size_t len = 0;
  if (colon == std::string_view::npos || !ParseNumber(in.substr(0, colon), len)) return false;
  in.remove_prefix(colon + 1);
  if (in.size() < len) return false;
  std::string_view body = in.substr(0, len);
  in.remove_prefix(len);
  SqlValue v;
  switch (tag) {
    case 'z':
      break;
    case 'i':
      v.kind = SqlValue::Kind::kInt;
      if (!ParseNumber(body, v.i)) return false;
      break;
    case 'r': {
      uint64_t bits = 0;
      if (!ParseNumber(body, bits, 16)) return false;
      v.kind = SqlValue::Kind::kReal;
      v.r = std::bit_cast<double>(bits);
      break;
    }
    case 't':
    case 'b':
      v.kind = tag == 't' ? SqlValue::Kind::kText : SqlValue::Kind::kBlob;
      v.s = std::string(body);
      break;
    default:
      return false;
  }
  out = std::move(v);
  return true;
}

std::string Describe(const KeyRange& r, const std::optional<SqlValue>& first,
                     const std::string& key) {
  std::string text;
  if (r.low && r.high) {
    text = fmt::format("{} in [{}, {})", key, r.low->ToSqlLiteral(), r.high->ToSqlLiteral());
  } else if (r.high) {
    text = first ? fmt::format("{} in [{}, {})", key, first->ToSqlLiteral(), r.high->ToSqlLiteral())
                 : fmt::format("{} < {}", key, r.high->ToSqlLiteral());
  } else if (r.low) {
    text = fmt::format("{} >= {}", key, r.low->ToSqlLiteral());
  } else {
    text = "all rows";
  }
  if (r.with_nulls && (r.low || r.high)) text += fmt::format(" or {} is null", key);
  return text;
}

}  // namespace

std::string Filter::WhereClause() const {
  if (conditions.empty()) return "";
  std::string out = " WHERE ";
  for (size_t i = 0; i < conditions.size(); ++i) {
    if (i > 0) out += " AND ";
    out += conditions[i];
  }
  return out;
}

Status Filter::BindTo(Statement& stmt) const {
  for (const auto& [name, value] : params) SLUICE_RETURN_IF_ERROR(stmt.Bind(name.c_str(), value));
  return Status::OK();
}

void KeyRange::AddTo(const std::string& key_expr, Filter& filter) const {
  std::string bounds;
  if (low) {
    bounds = key_expr + " >= :sluice_split_low";
    filter.params.emplace_back(":sluice_split_low", *low);
  }
  if (high) {
    if (!bounds.empty()) bounds += " AND ";
    bounds += key_expr + " < :sluice_split_high";
    filter.params.emplace_back(":sluice_split_high", *high);
  }
  if (bounds.empty()) return;  // unbounded: every row, NULL keys included
  if (with_nulls) {
    filter.conditions.push_back(fmt::format("(({}) OR {} IS NULL)", bounds, key_expr));
  } else {
    filter.conditions.push_back("(" + bounds + ")");
  }
}

std::string KeyRange::Encode() const {
  std::string out(kPayloadVersion);
  EncodeValue(low, out);
  EncodeValue(high, out);
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
  ok = ok && DecodeValue(in, r.low) && DecodeValue(in, r.high) && in.size() == 1;
  if (!ok) return Err(Status::Invalid("sqlite source: invalid split payload '{}'", payload));
  r.with_nulls = in.front() == 'n';
  return r;
}

Result<std::vector<PlannedRange>> PlanKeyRanges(Database& db, const std::string& table_sql,
                                                const Filter& filter, const std::string& key_expr,
                                                const std::string& key_label, bool key_nullable,
                                                int max_splits) {
  SLUICE_ASSIGN_OR_RETURN(Statement count,
                          db.Prepare(fmt::format("SELECT count(*), count({}) FROM {}{}", key_expr,
                                                 table_sql, filter.WhereClause())));
  SLUICE_RETURN_IF_ERROR(filter.BindTo(count));
  SLUICE_ASSIGN_OR_RETURN(bool has_row, count.Step());
  const int64_t total = has_row ? sqlite3_column_int64(count.get(), 0) : 0;
  const int64_t keyed = has_row ? sqlite3_column_int64(count.get(), 1) : 0;

  const int64_t parts = std::min<int64_t>(max_splits, keyed);
  if (parts <= 1) {
    PlannedRange all;
    all.range.with_nulls = true;
    all.rows = total;
    all.description = "all rows";
    return std::vector<PlannedRange>{std::move(all)};
  }

  // One ordered pass over the keys (an index or rowid scan when the key has one), noting the
  // key at each k-quantile position. It stops at the last boundary.
  Filter keyed_filter = filter;
  keyed_filter.conditions.push_back(key_expr + " IS NOT NULL");
  SLUICE_ASSIGN_OR_RETURN(Statement scan,
                          db.Prepare(fmt::format("SELECT {0} FROM {1}{2} ORDER BY {0}", key_expr,
                                                 table_sql, keyed_filter.WhereClause())));
  SLUICE_RETURN_IF_ERROR(keyed_filter.BindTo(scan));
  std::optional<SqlValue> first;
  std::vector<std::pair<SqlValue, int64_t>> bounds;  // key, position
  int64_t position = 0;
  for (int64_t part = 1; part < parts; ++part) {
    const int64_t target = keyed * part / parts;
    bool row = false;
    while (position <= target) {
      SLUICE_ASSIGN_OR_RETURN(row, scan.Step());
      if (!row) break;
      if (position == 0) first = ColumnValue(scan.get(), 0);
      ++position;
    }
    if (!row) break;  // rows deleted since the count: fewer parts
    SqlValue key = ColumnValue(scan.get(), 0);
    // Many equal keys can span a quantile; a boundary equal to the previous one adds nothing.
    if (!bounds.empty() && bounds.back().first == key) continue;
    if (first && key == *first) continue;
    bounds.emplace_back(std::move(key), target);
  }

  std::vector<PlannedRange> ranges;
  int64_t start = 0;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    PlannedRange p;
    if (i > 0) p.range.low = bounds[i - 1].first;
    if (i < bounds.size()) p.range.high = bounds[i].first;
    p.range.with_nulls = i == 0 && key_nullable;
    int64_t end = i < bounds.size() ? bounds[i].second : keyed;
    p.rows = end - start + (i == 0 ? total - keyed : 0);
    start = end;
    p.description = Describe(p.range, i == 0 ? first : std::nullopt, key_label);
    ranges.push_back(std::move(p));
  }
  return ranges;
}

}  // namespace sluice::sqlite
