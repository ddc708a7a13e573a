#include "connectors/mysql/mysql_change_merge.h"

#include <fmt/format.h>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_target.h"

namespace sluice::mysql {
namespace {

std::string JoinQuoted(const std::vector<std::string>& names, std::string_view prefix = "") {
  std::string out;
  for (const std::string& n : names) {
    out += fmt::format("{}{}{}", out.empty() ? "" : ", ", prefix, QuoteIdent(n));
  }
  return out;
}

}  // namespace

ChangeMergeSql BuildChangeMergeSql(const std::string& target, const std::string& staging,
                                   const std::vector<std::string>& columns,
                                   const std::vector<std::string>& key) {
  const std::string keys = JoinQuoted(key);
  const std::string seq = QuoteIdent(kStagingSeq);
  const std::string remove = QuoteIdent(kStagingRemove);
  std::string match;
  for (const std::string& k : key) {
    match +=
        fmt::format("{}t.{} = s.{}", match.empty() ? "" : " AND ", QuoteIdent(k), QuoteIdent(k));
  }
  ChangeMergeSql sql;
  sql.delete_sql = fmt::format("DELETE t FROM {} t JOIN (SELECT DISTINCT {} FROM {}) s ON {}",
                               target, keys, staging, match);
  const std::string list = JoinQuoted(columns);
  sql.insert_sql = fmt::format(
      "INSERT INTO {0} ({1}) SELECT {1} FROM (SELECT {1}, {2}, {3}, ROW_NUMBER() OVER "
      "(PARTITION BY {4} ORDER BY {2} DESC) AS _sluice_last FROM {5}) s "
      "WHERE _sluice_last = 1 AND {3} = 0 ORDER BY {2}",
      target, list, seq, remove, keys, staging);
  return sql;
}

}  // namespace sluice::mysql
