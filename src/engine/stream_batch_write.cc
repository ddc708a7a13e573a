#include "engine/stream_batch_write.h"

namespace sluice {

Status TransformAndWrite(const JobSetup& setup, SinkWriter& writer, std::unique_ptr<Batch>& batch,
                         RejectCollector& rejects, RunMetrics& metrics) {
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
  const int64_t bytes_out = static_cast<int64_t>(batch->ByteSize());
  const int64_t target_rejected_before = rejects.count();
  SLUICE_RETURN_IF_ERROR(writer.WriteAndTake(batch, rejects));
  const int64_t refused = rejects.count() - target_rejected_before;
  metrics.rows_written.fetch_add(rows_out - refused, std::memory_order_relaxed);
  metrics.bytes_written.fetch_add(bytes_out, std::memory_order_relaxed);
  return Status::OK();
}

}  // namespace sluice
