// How `sluice verify` prints its verdicts: one line per table, the differing keys under it, a
// total line; or the same as one JSON document (--json).
//
//   ods.orders  OK  1,000,000 rows  2.1 s
//   ods.items  DIFFERENT  source 1,000,000 rows, target 999,999: 1 missing, 1 changed  2.3 s
//     missing id=5
//     changed id=123456: amount 10.50 -> 10.51
//   verify: 2 tables, 1 OK, 1 DIFFERENT, 0 FAILED; 2,000,000 source rows in 4.4 s
#pragma once

#include <string>
#include <vector>

#include "verify/table_verifier.h"

namespace sluice::verify {

struct VerifyReport {
  std::string job;
  std::vector<TableVerdict> tables;
  double seconds = 0;

  // True when every table is OK.
  bool all_equal() const;
};

std::string ReportText(const VerifyReport& report);
std::string ReportJson(const VerifyReport& report);

// 1234567 -> "1,234,567".
std::string WithThousands(int64_t n);

}  // namespace sluice::verify
