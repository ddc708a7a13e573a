// Reads a started change stream through its initial snapshot, recording what
// StreamSource::SnapshotProgressNow() said after each batch: shared by the connectors' tests of
// the status line's snapshot progress.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "core/reject_sink.h"
#include "core/stream_source.h"

namespace sluice::testing {

struct SnapshotProgressRead {
  int64_t snapshot_rows = 0;
  int chunk_ends = 0;                     // batches after which InTransaction() was false
  std::vector<SnapshotProgress> reports;  // one per snapshot batch
  bool reported_after_the_snapshot = false;
};

// Next until the first batch that is not the snapshot's (or the end). Each report's rows_read
// is checked against the rows returned so far.
inline SnapshotProgressRead ReadSnapshotProgress(StreamSource& stream, RejectSink& rejects) {
  SnapshotProgressRead out;
  while (true) {
    Batch batch(stream.schema());
    Result<bool> more = stream.Next(batch, rejects);
    EXPECT_TRUE(more.has_value()) << more.error().message();
    if (!more) return out;
    const std::optional<SnapshotProgress> p = stream.SnapshotProgressNow();
    if (!batch.snapshot) {
      out.reported_after_the_snapshot = p.has_value();
      return out;
    }
    out.snapshot_rows += static_cast<int64_t>(batch.num_rows());
    if (!stream.InTransaction()) ++out.chunk_ends;
    if (p) {
      EXPECT_EQ(p->rows_read, out.snapshot_rows);
      out.reports.push_back(*p);
    }
    if (!*more) return out;
  }
}

}  // namespace sluice::testing
