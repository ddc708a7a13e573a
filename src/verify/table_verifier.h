// VerifyTable: compares what one table's job reads (after its transforms) with what its
// target holds, and says where they differ.
//
//   setup    BuildJobSetup (exactly what `run` builds): the source, the transform chain and
//            the columns written; the target is read back through the target connector's
//            own source (database targets only), restricted to `partition: {column, value}`
//            when the target has one (that column is not compared);
//   pass 1   both sides read in parallel over their splits, at the same time; each row's
//            compared columns normalized (value_normalizer.h) and hashed into a BucketDigest
//            by its key (bucket_digest.h). Constant memory. Equal digests: the table is OK;
//   pass 2   only when buckets differ: both sides read again, keeping the rows of differing
//            buckets, matched by key (row_diff.h): missing, extra, changed with the columns.
//
// The key: target.key, else the source's primary key, else the target's (when its columns are
// all compared); without one, whole rows are compared as multisets.
// Runs on the calling thread (which also reads); starts and joins its reader threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/job_spec.h"
#include "core/connector_registry.h"
#include "core/status.h"
#include "verify/row_diff.h"
#include "verify/table_scan.h"

namespace sluice::verify {

struct VerifyOptions {
  size_t max_differences = 20;  // differences listed per table (all are counted)
  // Rows pass 2 keeps in memory, both sides together. Differing buckets beyond it are not
  // narrowed down, and the counts become lower bounds (the report says so).
  int64_t pass2_row_budget = 2'000'000;
};

struct TableVerdict {
  enum class Outcome { kOk, kDifferent, kFailed };

  std::string table;  // the target table, as the report names it
  Outcome outcome = Outcome::kFailed;
  Status error;  // kFailed: why
  int64_t source_rows = 0;
  int64_t target_rows = 0;
  int64_t missing = 0;
  int64_t extra = 0;
  int64_t changed = 0;
  // Rows a side could not read or convert (the run would have rejected them, not written them):
  // each one a difference. The first reason, for the report.
  int64_t unreadable_source = 0;
  int64_t unreadable_target = 0;
  std::string first_unreadable_source;
  std::string first_unreadable_target;
  // Values the source replaced as a rule of the job says (special_values: null, zero_date:
  // null): lossy, but chosen. Reported apart; not differences.
  std::vector<Substitution> explained;
  bool counts_complete = true;   // false when pass 2 narrowed only part of the differing buckets
  std::vector<std::string> key;  // the columns rows were matched on; empty: whole rows
  std::string key_origin;        // "target.key", "source primary key", ...
  std::vector<Difference> differences;
  std::vector<std::string> notes;  // partial narrowing, ...
  size_t buckets = 0;
  size_t differing_buckets = 0;
  double seconds = 0;
};

const char* OutcomeName(TableVerdict::Outcome outcome);  // "OK", "DIFFERENT", "FAILED"

// `job` is a single-table job (a whole job, or one TableTask's job); `table` names it in the
// report.
TableVerdict VerifyTable(const JobSpec& job, const std::string& table,
                         const ConnectorRegistry& registry, const VerifyOptions& options);

}  // namespace sluice::verify
