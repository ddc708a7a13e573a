#include "verify/table_verifier.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iterator>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "core/connection_cache.h"
#include "engine/job_setup.h"
#include "verify/bucket_digest.h"
#include "verify/row_encoder.h"
#include "verify/table_scan.h"

namespace sluice::verify {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Positions of `key` among `names` (exact, then ignoring case); nullopt if one is missing.
std::optional<std::vector<size_t>> KeyPositions(const std::vector<std::string>& key,
                                                const std::vector<std::string>& names) {
  if (key.empty()) return std::nullopt;
  std::vector<size_t> positions;
  for (const std::string& k : key) {
    auto it = std::find(names.begin(), names.end(), k);
    if (it == names.end()) {
      it = std::find_if(names.begin(), names.end(),
                        [&](const std::string& n) { return SameName(n, k); });
    }
    if (it == names.end()) return std::nullopt;
    positions.push_back(static_cast<size_t>(it - names.begin()));
  }
  return positions;
}

std::vector<std::string> Without(std::vector<std::string> names, const std::string& column) {
  std::erase_if(names,
                [&](const std::string& n) { return !column.empty() && SameName(n, column); });
  return names;
}

// A SQL string literal; MySQL also reads backslashes as escapes.
std::string SqlLiteral(std::string_view value, bool backslash_escapes) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || (backslash_escapes && c == '\\')) out.push_back(c);
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

// Pass 1's consumer: rows into a digest.
class DigestConsumer final : public BatchConsumer {
 public:
  DigestConsumer(const SidePlan& plan, size_t buckets) : encoder_(plan), digest_(buckets) {}
  Status Consume(const Batch& batch) override {
    encoder_.HashBatch(batch);
    const auto& keys = encoder_.key_hashes();
    const auto& rows = encoder_.row_hashes();
    for (size_t r = 0; r < rows.size(); ++r) digest_.Add(keys[r], rows[r]);
    return Status::OK();
  }
  const BucketDigest& digest() const { return digest_; }

 private:
  RowEncoder encoder_;
  BucketDigest digest_;
};

// Pass 2's consumer: the rows of the flagged buckets.
class KeepConsumer final : public BatchConsumer {
 public:
  KeepConsumer(const SidePlan& plan, const BucketDigest& shape, const std::vector<uint8_t>& flags)
      : encoder_(plan), shape_(shape), flags_(flags) {}
  Status Consume(const Batch& batch) override {
    encoder_.HashBatch(batch);
    const auto& keys = encoder_.key_hashes();
    for (size_t r = 0; r < keys.size(); ++r) {
      if (flags_[shape_.BucketOf(keys[r])]) rows_.push_back(encoder_.Keep(batch, r));
    }
    return Status::OK();
  }
  std::vector<KeptRow>& rows() { return rows_; }

 private:
  RowEncoder encoder_;
  const BucketDigest& shape_;
  const std::vector<uint8_t>& flags_;
  std::vector<KeptRow> rows_;
};

// One side of the comparison: an opened source, how it is read, and its plan.
struct Side {
  Source* source = nullptr;
  ReadRequest read;
  const std::vector<std::unique_ptr<Transform>>* transforms = nullptr;
  SidePlan plan;
  CountingRejects rejects;
};

class TableVerifier {
 public:
  TableVerifier(const JobSpec& job, const ConnectorRegistry& registry, const VerifyOptions& options,
                TableVerdict& verdict)
      : job_(job), registry_(registry), options_(options), verdict_(verdict) {}

  Status Run() {
    SLUICE_RETURN_IF_ERROR(Prepare());
    const int64_t estimate = std::max(Estimate(*source_.source), Estimate(*target_.source));
    BucketDigest source_digest(ChooseBucketCount(estimate));
    BucketDigest target_digest(source_digest.buckets());
    SLUICE_RETURN_IF_ERROR(BothSides([&](Side& side) {
      return DigestSide(side, &side == &source_ ? source_digest : target_digest);
    }));
    verdict_.buckets = source_digest.buckets();
    verdict_.source_rows = source_digest.rows();
    verdict_.target_rows = target_digest.rows();
    std::vector<uint8_t> flags = source_digest.DifferingBuckets(target_digest);
    verdict_.differing_buckets = static_cast<size_t>(std::count(flags.begin(), flags.end(), 1));
    CountUnreadable();
    if (verdict_.differing_buckets == 0) {
      const bool unreadable = verdict_.unreadable_source + verdict_.unreadable_target > 0;
      verdict_.outcome =
          unreadable ? TableVerdict::Outcome::kDifferent : TableVerdict::Outcome::kOk;
      return Status::OK();
    }
    verdict_.outcome = TableVerdict::Outcome::kDifferent;
    LimitToBudget(flags, source_digest, target_digest);
    return Narrow(source_digest, flags);
  }

 private:
  Status Prepare() {
    SLUICE_ASSIGN_OR_RETURN(setup_, BuildJobSetup(job_, registry_, NowMicros()));
    const ConnectorInfo& info = *setup_.target_info;
    const bool readable =
        info.make_source && std::any_of(info.source_options.begin(), info.source_options.end(),
                                        [](const OptionSpec& s) { return s.name == "table"; });
    if (!readable) {
      return Status::Invalid(
          "verify reads the target table back through its connector; the {} connector has no "
          "tables to read back (verify supports database targets: sqlite, mysql, postgres)",
          job_.target_type);
    }
    // The target section, keeping the keys the connector's source side knows. Not time_zone:
    // the target is read as stored (a MySQL DATETIME as wall-clock time) and the zone is used
    // when comparing instead (ComparisonZone).
    Options options;
    options.path = "target";
    for (const OptionSpec& spec : info.source_options) {
      if (spec.name == "time_zone") continue;
      if (const OptionValue* v = job_.target.Find(spec.name)) options.Set(spec.name, *v);
    }
    SLUICE_ASSIGN_OR_RETURN(target_owned_, info.make_source(options, setup_.context));

    const Options partition = job_.target.GetObject("partition");
    partition_column_ = partition.GetString("column");
    std::vector<std::string> names = Without(setup_.write.schema.Names(), partition_column_);
    target_.read.columns = names;
    if (!partition_column_.empty()) {
      target_.read.where =
          fmt::format("{} = {}", partition_column_,
                      SqlLiteral(partition.GetString("value"), job_.target_type == "mysql"));
    }
    target_.read.max_splits = job_.settings.parallelism;
    target_.read.batch_rows = setup_.read.batch_rows;
    target_.read.batch_bytes = setup_.read.batch_bytes;
    // The source is read as the run read it, for this target (a PostgreSQL source keeps NaN
    // for a PostgreSQL target); the target is read the same way so both sides agree.
    target_.read.target_type = setup_.read.target_type;
    // A one-column target.key is indexed in the target (created tables make it the primary
    // key; upsert needs a unique index on it): parallel reads can cut on it even when the
    // table's primary key is another one or missing. If the connector cannot, read unsplit.
    const std::vector<std::string> target_key = Without(setup_.write.key, partition_column_);
    if (target_key.size() == 1) target_.read.split_key = target_key[0];
    Status opened = target_owned_->Open(target_.read);
    if (!opened.ok() && !target_.read.split_key.empty()) {
      target_.read.split_key.clear();
      opened = target_owned_->Open(target_.read);
    }
    SLUICE_RETURN_IF_ERROR(opened.WithContext("reading the target back"));
    target_.source = target_owned_.get();
    static const std::vector<std::unique_ptr<Transform>> kNoTransforms;
    target_.transforms = &kNoTransforms;
    source_.source = setup_.source.get();
    source_.read = setup_.read;
    source_.transforms = &setup_.transforms;

    SLUICE_ASSIGN_OR_RETURN(TimeZone zone, ComparisonZone());
    SLUICE_RETURN_IF_ERROR(PlanColumns(names, zone));
    ChooseKey(names);
    return Status::OK();
  }

  // Where wall-clock values meet instants: the target's own time_zone (MySQL stores instants
  // in DATETIME as wall-clock time in it), else the job's settings.time_zone.
  Result<TimeZone> ComparisonZone() const {
    std::string name = job_.target.GetString("time_zone");
    if (name.empty()) name = job_.settings.time_zone;
    return TimeZone::Load(name);
  }

  Status PlanColumns(const std::vector<std::string>& names, const TimeZone& zone) {
    const Schema& written = setup_.write.schema;
    const Schema& stored = target_.source->schema();
    source_.plan.zone = zone;
    target_.plan.zone = zone;
    for (const std::string& name : names) {
      const size_t si = *written.IndexOf(name);
      std::optional<size_t> ti = stored.IndexOf(name);
      if (!ti) {
        return Status::NotFound("the target {} has no column '{}' (its columns: {})",
                                target_.source->Describe(), name, stored.ToString());
      }
      const DataType& st = written.fields[si].type;
      const DataType& tt = stored.fields[*ti].type;
      const CompareKind kind = ResolveCompareKind(st, tt);
      source_.plan.columns.push_back(ComparedColumn{name, si, st, kind});
      target_.plan.columns.push_back(ComparedColumn{name, *ti, tt, kind});
    }
    return Status::OK();
  }

  void ChooseKey(const std::vector<std::string>& names) {
    const std::pair<std::vector<std::string>, const char*> candidates[] = {
        {setup_.write.key, "target.key"},
        {setup_.source->PrimaryKey(), "the source's primary key"},
        {target_.source->PrimaryKey(), "the target's primary key"},
    };
    for (const auto& [key, origin] : candidates) {
      std::optional<std::vector<size_t>> positions =
          KeyPositions(Without(key, partition_column_), names);
      if (!positions) continue;
      source_.plan.key = *positions;
      target_.plan.key = *positions;
      for (size_t p : *positions) verdict_.key.push_back(names[p]);
      verdict_.key_origin = origin;
      return;
    }
    verdict_.key_origin = "no key: whole rows compared as a multiset";
  }

  static int64_t Estimate(Source& source) {
    Result<std::optional<int64_t>> rows = source.EstimateRows();
    return rows && *rows ? **rows : -1;
  }

  // Runs `fn` on the target side in a thread of its own and on the source side here: the two
  // databases work at the same time.
  template <typename Fn>
  Status BothSides(Fn fn) {
    Status target_status;
    std::thread target_thread([&, cache = ConnectionCache::Current()] {
      ConnectionCacheBinding bind(cache);  // the verify's connections, on this thread too
      target_status = fn(target_);
    });
    Status source_status = fn(source_);
    target_thread.join();
    if (!source_status.ok()) return source_status;
    return target_status;
  }

  int Readers() const { return std::max(1, job_.settings.parallelism); }

  Status DigestSide(Side& side, BucketDigest& merged) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<Split> splits, side.source->PlanSplits());
    std::vector<std::unique_ptr<DigestConsumer>> owned;
    std::vector<BatchConsumer*> consumers;
    for (int i = 0; i < Readers(); ++i) {
      owned.push_back(std::make_unique<DigestConsumer>(side.plan, merged.buckets()));
      consumers.push_back(owned.back().get());
    }
    const size_t split_count = splits.size();
    const auto start = std::chrono::steady_clock::now();
    SLUICE_RETURN_IF_ERROR(
        ScanSource(*side.source, std::move(splits), *side.transforms, side.rejects, consumers));
    for (const auto& c : owned) merged.Merge(c->digest());
    spdlog::debug("verify: pass 1 read {} rows of {} ({} splits) in {:.2f} s", merged.rows(),
                  side.source->Describe(), split_count,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return Status::OK();
  }

  // Keeps the differing buckets pass 2 can hold; the rest stay unexplained.
  void LimitToBudget(std::vector<uint8_t>& flags, const BucketDigest& a, const BucketDigest& b) {
    int64_t kept = 0;
    size_t narrowed = 0;
    for (size_t i = 0; i < flags.size(); ++i) {
      if (!flags[i]) continue;
      const int64_t cost = a.count(i) + b.count(i);
      if (kept > 0 && kept + cost > options_.pass2_row_budget) {
        flags[i] = 0;
        continue;
      }
      kept += cost;
      ++narrowed;
    }
    if (narrowed < verdict_.differing_buckets) {
      verdict_.counts_complete = false;
      verdict_.notes.push_back(fmt::format(
          "{} of {} differing buckets narrowed down (pass 2 keeps at most {} rows); the counts "
          "are lower bounds",
          narrowed, verdict_.differing_buckets, options_.pass2_row_budget));
    }
  }

  Status KeepSide(Side& side, const BucketDigest& shape, const std::vector<uint8_t>& flags,
                  std::vector<KeptRow>& out) {
    // Open again: a source's splits are read once (snapshot connections are handed out).
    SLUICE_RETURN_IF_ERROR(side.source->Open(side.read));
    SLUICE_ASSIGN_OR_RETURN(std::vector<Split> splits, side.source->PlanSplits());
    std::vector<std::unique_ptr<KeepConsumer>> owned;
    std::vector<BatchConsumer*> consumers;
    for (int i = 0; i < Readers(); ++i) {
      owned.push_back(std::make_unique<KeepConsumer>(side.plan, shape, flags));
      consumers.push_back(owned.back().get());
    }
    CountingRejects rejects;  // already counted by pass 1
    SLUICE_RETURN_IF_ERROR(
        ScanSource(*side.source, std::move(splits), *side.transforms, rejects, consumers));
    for (const auto& c : owned) {
      std::move(c->rows().begin(), c->rows().end(), std::back_inserter(out));
    }
    return Status::OK();
  }

  Status Narrow(const BucketDigest& shape, const std::vector<uint8_t>& flags) {
    std::vector<KeptRow> source_rows;
    std::vector<KeptRow> target_rows;
    SLUICE_RETURN_IF_ERROR(BothSides([&](Side& side) {
      return KeepSide(side, shape, flags, &side == &source_ ? source_rows : target_rows);
    }));
    std::vector<std::string> names;
    for (const ComparedColumn& c : source_.plan.columns) names.push_back(c.name);
    RowDiff diff = DiffRows(source_rows, target_rows, names, options_.max_differences);
    verdict_.missing = diff.missing;
    verdict_.extra = diff.extra;
    verdict_.changed = diff.changed;
    verdict_.differences = std::move(diff.shown);
    if (!diff.any()) {
      verdict_.notes.push_back(
          "the checksums differ but reading again found no differing row: did the data change "
          "while verify ran?");
    }
    return Status::OK();
  }

  // A row the source could not read or convert never reaches the target (a run sends it to
  // the dirty records), and it is in neither side's digest: counted here, so that a run that
  // rejected every row is not "OK 0 rows".
  void CountUnreadable() {
    verdict_.unreadable_source = source_.rejects.count();
    verdict_.first_unreadable_source = source_.rejects.first_reason();
    verdict_.unreadable_target = target_.rejects.count();
    verdict_.first_unreadable_target = target_.rejects.first_reason();
    verdict_.explained = source_.rejects.substitutions();
  }

  const JobSpec& job_;
  const ConnectorRegistry& registry_;
  const VerifyOptions& options_;
  TableVerdict& verdict_;
  JobSetup setup_;
  std::unique_ptr<Source> target_owned_;
  std::string partition_column_;
  Side source_;
  Side target_;
};

}  // namespace

const char* OutcomeName(TableVerdict::Outcome outcome) {
  switch (outcome) {
    case TableVerdict::Outcome::kOk:
      return "OK";
    case TableVerdict::Outcome::kDifferent:
      return "DIFFERENT";
    case TableVerdict::Outcome::kFailed:
      return "FAILED";
  }
  return "?";
}

TableVerdict VerifyTable(const JobSpec& job, const std::string& table,
                         const ConnectorRegistry& registry, const VerifyOptions& options) {
  TableVerdict verdict;
  verdict.table = table;
  const auto start = std::chrono::steady_clock::now();
  TableVerifier verifier(job, registry, options, verdict);
  Status status = verifier.Run();
  if (!status.ok()) {
    verdict.outcome = TableVerdict::Outcome::kFailed;
    verdict.error = std::move(status);
  }
  verdict.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return verdict;
}

}  // namespace sluice::verify
