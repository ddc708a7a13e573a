#include "engine/stream_batch_write.h"

#include <spdlog/spdlog.h>

#include "engine/unchanged_fill.h"

namespace sluice {
namespace {

// Unchanged cells the batch could not fill itself go to a writer that keeps the target's
// value, or stop the run naming the column: writing NULL there would corrupt the row.
Status ResolveUnchanged(const JobSetup& setup, const SinkWriter& writer, Batch& batch) {
  if (!batch.HasUnchanged()) return Status::OK();
  const std::string label = "target " + setup.sink->Describe();
  const std::string hint = setup.stream ? setup.stream->WholeRowsHint() : std::string();
  SLUICE_RETURN_IF_ERROR(
      FillUnchangedFromBatch(batch, setup.write.schema, setup.write.key, label, hint));
  if (writer.KeepsUnchangedCells()) return Status::OK();
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    const Column& col = batch.columns[c];
    if (!col.has_unchanged()) continue;
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      if (!col.IsUnchanged(row)) continue;
      return Status::Invalid(
          "{}: an update did not send the value of column '{}' (it left the value unchanged) "
          "and this target cannot keep the value it has: write to a target that can, or {} "
          "and re-snapshot (startup: initial), since the updates already logged do not carry "
          "the value",
          label, setup.write.schema.fields[c].name, hint);
    }
  }
  return Status::OK();
}

}  // namespace

Status TransformAndWrite(const JobSetup& setup, SinkWriter& writer, std::unique_ptr<Batch>& batch,
                         RejectCollector& rejects, RunMetrics& metrics) {
  if (batch->truncated) {
    // Before the batch's rows, which follow the TRUNCATE (core/batch.h).
    const std::string table =
        batch->source_table.empty() ? "the source table" : batch->source_table;
    Status st = writer.Truncate(*batch);
    if (st.code() == StatusCode::kInvalidArgument && !st.retryable()) {
      return Status::Invalid(
          "{} was truncated at the source and target {} cannot follow: {}; set the source's "
          "truncate: stop or ignore",
          table, setup.sink->Describe(), st.message());
    }
    if (!st.ok()) {
      return st.WithContext(fmt::format("target {}: emptying the table as {} was truncated",
                                        setup.sink->Describe(), table));
    }
    spdlog::info("{} was truncated at the source: target {} is emptied in the next checkpoint",
                 table, setup.sink->Describe());
  }
  const int64_t transform_rejected_before = rejects.count();
  const int64_t rows_in = static_cast<int64_t>(batch->num_rows());
  for (const auto& transform : setup.transforms) {
    if (batch->num_rows() == 0) break;
    SLUICE_RETURN_IF_ERROR(transform->Apply(*batch, rejects));
  }
  const int64_t transform_rejected = rejects.count() - transform_rejected_before;
  const int64_t rows_out = static_cast<int64_t>(batch->num_rows());
  metrics.rows_filtered.fetch_add(rows_in - rows_out - transform_rejected,
                                  std::memory_order_relaxed);
  if (rows_out == 0) return Status::OK();
  if (!setup.transforms.empty()) SLUICE_RETURN_IF_ERROR(CheckOffsets(*batch, setup.write.schema));
  SLUICE_RETURN_IF_ERROR(ResolveUnchanged(setup, writer, *batch));
  const int64_t bytes_out = static_cast<int64_t>(batch->ByteSize());
  const int64_t target_rejected_before = rejects.count();
  SLUICE_RETURN_IF_ERROR(writer.WriteAndTake(batch, rejects));
  const int64_t refused = rejects.count() - target_rejected_before;
  metrics.rows_written.fetch_add(rows_out - refused, std::memory_order_relaxed);
  metrics.bytes_written.fetch_add(bytes_out, std::memory_order_relaxed);
  return Status::OK();
}

}  // namespace sluice
