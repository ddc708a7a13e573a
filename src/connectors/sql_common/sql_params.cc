#include "connectors/sql_common/sql_params.h"

#include <cctype>

namespace sluice::sql_common {

std::string RewriteParams(std::string_view sql, const std::function<std::string(size_t)>& replace) {
  std::string out;
  out.reserve(sql.size());
  size_t i = 0;
  while (i < sql.size()) {
    if (sql[i] != '?' || i + 1 >= sql.size() ||
        !std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out += sql[i++];
      continue;
    }
    size_t n = 0;
    size_t j = i + 1;
    while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) {
      n = n * 10 + static_cast<size_t>(sql[j] - '0');
      ++j;
    }
    if (n == 0) {
      out.append(sql.substr(i, j - i));
    } else {
      out += replace(n - 1);
    }
    i = j;
  }
  return out;
}

std::string ParamText(const SqlParam& param) {
  if (const int64_t* i = std::get_if<int64_t>(&param)) return std::to_string(*i);
  return std::get<std::string>(param);
}

}  // namespace sluice::sql_common
