#include "connectors/postgres/pg_splits.h"

#include <charconv>

#include <fmt/format.h>

namespace sluice::postgres {
namespace {

constexpr std::string_view kPayloadVersion = "k1;";
// Above this many rows, boundaries come from a sample of about kSampleRows keys (BERNOULLI:
// row by row, so clustered keys do not skew it as page sampling would).
constexpr int64_t kExactLimit = 500'000;
constexpr int64_t kSampleRows = 100'000;

void EncodeBound(const std::optional<std::string>& v, std::string& out) {
  if (!v) {
    out += '-';
    return;
  }
  out += 'v';
  out += std::to_string(v->size());
  out += ':';
  out += *v;
}

bool DecodeBound(std::string_view& in, std::optional<std::string>& out) {
  if (in.empty()) return false;
  char tag = in.front();
  in.remove_prefix(1);
  if (tag == '-') {
    out.reset();
    return true;
  }
  if (tag != 'v') return false;
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

std::string Literal(const std::string& value, const std::string& type) {
  return QuoteLiteral(value) + "::" + type;
}

std::string Describe(const KeyRange& r, const std::string& key) {
  std::string text;
  if (r.low && r.high) {
    text = fmt::format("{} in [{}, {})", key, *r.low, *r.high);
  } else if (r.high) {
    text = fmt::format("{} < {}", key, *r.high);
  } else if (r.low) {
    text = fmt::format("{} >= {}", key, *r.low);
  } else {
    return "all rows";
  }
  if (r.with_nulls) text += fmt::format(" or {} is null", key);
  return text;
}

std::vector<PlannedRange> SingleRange(std::optional<int64_t> rows) {
  std::vector<PlannedRange> ranges(1);
  ranges[0].range.with_nulls = true;
  ranges[0].rows = rows;
  ranges[0].description = "all rows";
  return ranges;
}

}  // namespace

std::string KeyRange::Condition(const std::string& key_sql, const std::string& key_type) const {
  std::string bounds;
  if (low) bounds = fmt::format("{} >= {}", key_sql, Literal(*low, key_type));
  if (high) {
    if (!bounds.empty()) bounds += " AND ";
    bounds += fmt::format("{} < {}", key_sql, Literal(*high, key_type));
  }
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
  if (!ok) return Err(Status::Invalid("postgres source: invalid split payload '{}'", payload));
  r.with_nulls = in.front() == 'n';
  return r;
}

bool SplittableKey(const PgType& t) {
  switch (t.oid) {
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8:
    case oid::kOid:
    case oid::kNumeric:
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kDate:
    case oid::kTimestamp:
    case oid::kTimestampTz:
    case oid::kUuid:
      return true;
    default:
      return false;
  }
}

Result<std::vector<PlannedRange>> PlanKeyRanges(PgConnection& conn, const SplitQuery& query,
                                                int max_splits) {
  if (max_splits <= 1) return SingleRange(query.estimated_rows);

  std::string fractions;
  for (int i = 1; i < max_splits; ++i) {
    fractions += fmt::format("{}{}", i > 1 ? "," : "", static_cast<double>(i) / max_splits);
  }
  std::string sample;
  const int64_t estimate = query.estimated_rows.value_or(0);
  if (query.can_sample && estimate > kExactLimit) {
    double percent = 100.0 * static_cast<double>(kSampleRows) / static_cast<double>(estimate);
    // REPEATABLE: the same data gives the same plan, run after run.
    sample = fmt::format(" TABLESAMPLE BERNOULLI ({:.6f}) REPEATABLE (42)", percent);
  }
  std::string where = query.conditions.empty()
                          ? fmt::format(" WHERE {} IS NOT NULL", query.key_sql)
                          : fmt::format("{} AND {} IS NOT NULL", query.conditions, query.key_sql);
  std::string sql = fmt::format(
      "SELECT u.q::text FROM unnest((SELECT percentile_disc(ARRAY[{}]::float8[]) WITHIN GROUP "
      "(ORDER BY s.k) FROM (SELECT {} AS k FROM {}{}{}) s)) WITH ORDINALITY AS u(q, n) "
      "ORDER BY u.n",
      fractions, query.key_sql, query.from, sample, where);
  SLUICE_ASSIGN_OR_RETURN(PgResult bounds, conn.Query(sql, "postgres source: planning splits"));
  std::vector<std::string> cuts;
  for (int r = 0; r < bounds.rows(); ++r) {
    if (bounds.IsNull(r, 0)) continue;
    std::string b = bounds.Str(r, 0);
    // Many equal keys can span several quantiles; a repeated boundary adds nothing.
    if (!cuts.empty() && cuts.back() == b) continue;
    cuts.push_back(std::move(b));
  }
  if (cuts.empty()) return SingleRange(query.estimated_rows);
  const size_t parts = cuts.size() + 1;
  std::vector<PlannedRange> ranges(parts);
  for (size_t i = 0; i < parts; ++i) {
    PlannedRange& p = ranges[i];
    if (i > 0) p.range.low = cuts[i - 1];
    if (i < cuts.size()) p.range.high = cuts[i];
    p.range.with_nulls = i == 0 && query.key_nullable;
    if (query.estimated_rows) p.rows = *query.estimated_rows / static_cast<int64_t>(parts);
    p.description = Describe(p.range, query.key_label);
  }
  return ranges;
}

}  // namespace sluice::postgres
