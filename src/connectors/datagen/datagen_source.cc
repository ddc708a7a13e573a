#include "connectors/datagen/datagen_source.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include <fmt/format.h>

#include "connectors/datagen/datagen_rows.h"

namespace sluice::datagen {
namespace {

// Next() waits at most this long for the rate to allow a row.
constexpr auto kMaxIdleWait = std::chrono::milliseconds(200);

Status CheckRequest(const ReadRequest& request, const Schema& schema) {
  if (!request.where.empty()) {
    return Status::Invalid(
        "datagen source: `where` is not supported (filter with a transform instead)");
  }
  if (!request.columns.empty() && request.columns != schema.Names()) {
    return Status::Invalid(
        "datagen source: it makes the columns {}; choose among them with a transform "
        "(select), not with `columns`",
        schema.ToString());
  }
  return Status::OK();
}

class RangeReader final : public SplitReader {
 public:
  RangeReader(int64_t first, int64_t last, BatchLimits limits)
      : next_(first), last_(last), limits_(limits) {}
  Result<bool> Next(Batch& batch, RejectSink&) override {
    if (next_ <= last_) next_ = AppendRows(next_, last_, batch, limits_) + 1;
    return next_ <= last_;
  }

 private:
  int64_t next_;
  int64_t last_;
  BatchLimits limits_;
};

}  // namespace

Result<DatagenConfig> ParseConfig(const Options& options, bool streaming) {
  DatagenConfig config;
  SLUICE_ASSIGN_OR_RETURN(config.rows, options.GetInt("rows", 0));
  SLUICE_ASSIGN_OR_RETURN(config.rows_per_second, options.GetInt("rows_per_second", 0));
  if (config.rows < 0) return Err(options.ErrorAt("rows", "must be 0 (endless) or more"));
  if (config.rows == 0 && !streaming) {
    return Err(options.ErrorAt("rows",
                               "a batch job needs a number of rows above 0 (endless "
                               "generation is for `mode: realtime`)"));
  }
  if (config.rows_per_second < 0) {
    return Err(options.ErrorAt("rows_per_second", "must be 0 (unlimited) or more"));
  }
  SLUICE_ASSIGN_OR_RETURN(config.transaction_rows, options.GetInt("transaction_rows", 1));
  if (config.transaction_rows < 1) {
    return Err(options.ErrorAt("transaction_rows", "must be 1 or more"));
  }
  return config;
}

// --- batch -------------------------------------------------------------------------------

Result<std::unique_ptr<Source>> DatagenSource::Make(const Options& options,
                                                    const ConnectorContext&) {
  SLUICE_ASSIGN_OR_RETURN(DatagenConfig config, ParseConfig(options, /*streaming=*/false));
  return std::unique_ptr<Source>(new DatagenSource(config));
}

Status DatagenSource::Open(const ReadRequest& request) {
  schema_ = RowSchema();
  SLUICE_RETURN_IF_ERROR(CheckRequest(request, schema_));
  if (request.incremental) {
    return Status::Invalid("datagen source: incremental reads are not supported");
  }
  request_ = request;
  return Status::OK();
}

Result<std::optional<std::string>> DatagenSource::MaxValue(const std::string& column) {
  return Err(Status::Invalid("datagen source: no incremental reads (column '{}')", column));
}

Result<std::vector<Split>> DatagenSource::PlanSplits() {
  const int64_t parts = std::clamp<int64_t>(request_.max_splits, 1, config_.rows);
  std::vector<Split> splits;
  for (int64_t i = 0; i < parts; ++i) {
    const int64_t first = config_.rows * i / parts + 1;
    const int64_t last = config_.rows * (i + 1) / parts;
    splits.push_back(Split{static_cast<int>(i), fmt::format("id in [{}, {}]", first, last),
                           fmt::format("{}:{}", first, last), last - first + 1});
  }
  return splits;
}

Result<std::unique_ptr<SplitReader>> DatagenSource::OpenSplit(const Split& split) {
  int64_t first = 0;
  int64_t last = 0;
  const std::string& p = split.payload;
  const size_t colon = p.find(':');
  std::from_chars(p.data(), p.data() + colon, first);
  std::from_chars(p.data() + colon + 1, p.data() + p.size(), last);
  return std::unique_ptr<SplitReader>(new RangeReader(first, last, request_.limits()));
}

std::string DatagenSource::Describe() const {
  return fmt::format("datagen:{} rows", config_.rows);
}

// --- stream ------------------------------------------------------------------------------

Result<std::unique_ptr<StreamSource>> DatagenStream::Make(const Options& options,
                                                          const ConnectorContext&) {
  SLUICE_ASSIGN_OR_RETURN(DatagenConfig config, ParseConfig(options, /*streaming=*/true));
  return std::unique_ptr<StreamSource>(new DatagenStream(config));
}

Status DatagenStream::Open(const ReadRequest& request) {
  schema_ = RowSchema();
  SLUICE_RETURN_IF_ERROR(CheckRequest(request, schema_));
  limits_ = request.limits();
  return Status::OK();
}

Status DatagenStream::Start(const std::vector<StreamPosition>& resume_from, bool catch_up) {
  last_ = 0;
  for (const StreamPosition& p : resume_from) {
    if (p.stream != config_.stream) continue;
    const char* end = p.position.data() + p.position.size();
    auto [ptr, ec] = std::from_chars(p.position.data(), end, last_);
    if (ec != std::errc() || ptr != end || last_ < 0) {
      return Status::Invalid("datagen source: the committed position '{}' is not a row number",
                             p.position);
    }
  }
  if (catch_up && config_.rows == 0) {
    return Status::Invalid(
        "datagen source: --catch-up needs an end: set `rows` (an endless generator has none)");
  }
  end_ = config_.rows;
  catch_up_ = catch_up;
  started_at_ = last_;
  clock_start_ = std::chrono::steady_clock::now();
  return Status::OK();
}

Result<bool> DatagenStream::Next(Batch& batch, RejectSink&) {
  if (end_ != 0 && last_ >= end_) {
    if (catch_up_) return false;
    // All rows made; a stream goes on (idle) until it is stopped.
    std::this_thread::sleep_for(kMaxIdleWait);
    return true;
  }
  int64_t upto = last_ + static_cast<int64_t>(limits_.rows);
  if (end_ != 0) upto = std::min(upto, end_);
  if (config_.transaction_rows > 1) {
    // A batch ends at a transaction's end when one falls within it (core/stream_source.h).
    const int64_t n = config_.transaction_rows;
    upto = std::min(upto, (last_ / n + 1) * n);
  }
  if (config_.rows_per_second > 0) {
    // The rows the rate allows by now, counted from Start(); wait a little for one if none.
    const auto deadline = std::chrono::steady_clock::now() + kMaxIdleWait;
    while (true) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start_).count();
      const int64_t allowed =
          started_at_ +
          static_cast<int64_t>(seconds * static_cast<double>(config_.rows_per_second));
      if (allowed > last_) {
        upto = std::min(upto, allowed);
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) return true;  // idle: an empty batch
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  last_ = AppendRows(last_ + 1, upto, batch, limits_);
  batch.position = std::to_string(last_);
  return !catch_up_ || last_ < end_;
}

int64_t DatagenStream::LastTransactionEnd() const {
  const int64_t n = config_.transaction_rows;
  if (n <= 1 || last_ == end_) return last_;  // the last rows end a transaction however many
  return last_ - last_ % n;
}

bool DatagenStream::InTransaction() const {
  return LastTransactionEnd() != last_;
}

std::vector<StreamPosition> DatagenStream::Positions() const {
  return {StreamPosition{config_.stream, std::to_string(LastTransactionEnd())}};
}

std::string DatagenStream::Describe() const {
  return config_.rows == 0 ? std::string("datagen:endless")
                           : fmt::format("datagen:{} rows", config_.rows);
}

}  // namespace sluice::datagen
