// The checkpoint contract every SQL sink must keep, as test scenarios each connector's test
// runs against its real server (or file): checkpoints commit rows with positions, a killed
// run recovers exactly its committed checkpoints, fences refuse an older owner, positions
// rows stay bounded. Header-only, for *_test.cc files (it uses GoogleTest); a connector
// describes its target with a CheckpointTarget. Nothing here knows which database it is.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/reject_sink.h"
#include "core/sink.h"

namespace sluice::sql_common::testing {

struct CheckpointTarget {
  // A new sink writing into `table` (created by the first run from the request's schema).
  std::function<std::unique_ptr<Sink>(const std::string& table)> make_sink;
  // The rows of `table` as "id:name", by id, comma-separated ("" when empty or missing).
  std::function<std::string(const std::string& table)> rows;
  // How many rows `_sluice_positions` holds for `job`.
  std::function<int64_t(const std::string& job)> position_rows;
  // Whether a second writer can prepare while the first is in its transaction (not SQLite,
  // whose one write lock the first holds until it commits).
  bool concurrent_writers = true;
};

class NoRejects : public RejectSink {
 public:
  Status Reject(const Schema&, const Batch&, size_t, std::string_view,
                std::string_view reason) override {
    return Status::Internal("unexpected reject: {}", reason);
  }
};

inline Schema IdSchema() {
  return Schema{
      {{"id", DataType::Of(TypeId::kInt64), false}, {"name", DataType::Of(TypeId::kString)}}};
}

inline Batch Ids(std::vector<int64_t> ids, const std::string& name = "n") {
  Batch b(IdSchema());
  for (int64_t id : ids) {
    b.columns[0].AppendInt(id);
    b.columns[1].AppendBytes(name);
  }
  return b;
}

inline WriteRequest RunRequest(const std::string& job, int64_t fence,
                               WriteMode mode = WriteMode::kAppend) {
  static int counter = 0;
  WriteRequest r;
  r.job_name = job;
  // Unique across test processes too: PostgreSQL's Recover ends backends by run id.
  r.run_id = job + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
  r.fence = fence;
  r.mode = mode;
  r.key = {"id"};
  r.schema = IdSchema();
  return r;
}

inline std::vector<StreamPosition> At(const std::string& a, const std::string& b) {
  return {StreamPosition{"s1", a}, StreamPosition{"s2", b}};
}

inline std::string Text(const std::vector<StreamPosition>& positions) {
  std::string out;
  for (const StreamPosition& p : positions) {
    out += (out.empty() ? "" : " ") + p.stream + "=" + p.position;
  }
  return out;
}

inline std::string Committed(Sink& sink, const std::string& job) {
  Result<std::vector<StreamPosition>> p = sink.CommittedPositions(job);
  return p ? Text(*p) : p.error().ToString();
}

// Writes `batch` and checkpoints it with `positions`.
inline void WriteAndCheckpoint(Sink& sink, SinkWriter& writer, const Batch& batch,
                               const std::vector<StreamPosition>& positions) {
  NoRejects rejects;
  ASSERT_TRUE(writer.Write(batch, rejects).ok());
  ASSERT_TRUE(writer.Finish().ok());
  Status st = sink.Checkpoint(positions);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

inline void TwoCheckpointsThenTheLatestPositions(const CheckpointTarget& t) {
  const std::string job = "ckpt_two";
  auto sink = t.make_sink("ckpt_two");
  EXPECT_TRUE(sink->SupportsCheckpoints());
  EXPECT_EQ(Committed(*sink, job), "");  // nothing yet
  WriteRequest request = RunRequest(job, 1);
  ASSERT_TRUE(sink->Prepare(request).has_value());
  auto writer = sink->OpenWriter();
  ASSERT_TRUE(writer.has_value());
  WriteAndCheckpoint(*sink, **writer, Ids({1, 2}), At("a1", "b1"));
  EXPECT_EQ(t.rows("ckpt_two"), "1:n,2:n");  // committed, visible to others
  WriteAndCheckpoint(*sink, **writer, Ids({3}), At("a2", "b2"));
  EXPECT_EQ(Committed(*t.make_sink("ckpt_two"), job), "s1=a2 s2=b2");
  NoRejects rejects;
  ASSERT_TRUE((*writer)->Write(Ids({4, 5}), rejects).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  Status st = sink->CommitWithPositions(At("a3", "b3"));
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(t.rows("ckpt_two"), "1:n,2:n,3:n,4:n,5:n");
  EXPECT_EQ(Committed(*t.make_sink("ckpt_two"), job), "s1=a3 s2=b3");
  EXPECT_EQ(Committed(*t.make_sink("ckpt_two"), "another job"), "");
}

inline void KilledAfterACheckpointRecoversItsRows(const CheckpointTarget& t) {
  const std::string job = "ckpt_killed";
  WriteRequest request = RunRequest(job, 3);
  std::string state;
  {
    auto sink = t.make_sink("ckpt_killed");
    Result<std::string> prepared = sink->Prepare(request);
    ASSERT_TRUE(prepared.has_value()) << prepared.error().ToString();
    state = *prepared;
    auto writer = sink->OpenWriter();
    ASSERT_TRUE(writer.has_value());
    WriteAndCheckpoint(*sink, **writer, Ids({1, 2}), At("a1", "b1"));
    NoRejects rejects;
    ASSERT_TRUE((*writer)->Write(Ids({3, 4}), rejects).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
    // Killed here: the sink goes away without committing.
  }
  auto fresh = t.make_sink("ckpt_killed");
  Result<bool> recovered = fresh->Recover(PendingRun{request.run_id, state, job, 4});
  ASSERT_TRUE(recovered.has_value()) << recovered.error().ToString();
  EXPECT_TRUE(*recovered);  // its first checkpoint committed
  EXPECT_EQ(t.rows("ckpt_killed"), "1:n,2:n");
  EXPECT_EQ(Committed(*fresh, job), "s1=a1 s2=b1");

  // A run killed before its first checkpoint committed nothing.
  WriteRequest lost = RunRequest(job, 4);
  {
    auto sink = t.make_sink("ckpt_killed");
    Result<std::string> prepared = sink->Prepare(lost);
    ASSERT_TRUE(prepared.has_value()) << prepared.error().ToString();
    state = *prepared;
    auto writer = sink->OpenWriter();
    NoRejects rejects;
    ASSERT_TRUE((*writer)->Write(Ids({5}), rejects).ok());
  }
  recovered = t.make_sink("ckpt_killed")->Recover(PendingRun{lost.run_id, state, job, 5});
  ASSERT_TRUE(recovered.has_value()) << recovered.error().ToString();
  EXPECT_FALSE(*recovered);
  EXPECT_EQ(t.rows("ckpt_killed"), "1:n,2:n");
}

inline void ALowerFenceIsRefused(const CheckpointTarget& t) {
  const std::string job = "ckpt_fence";
  auto first = t.make_sink("ckpt_fence");
  NoRejects rejects;
  WriteRequest owner = RunRequest(job, 5);
  ASSERT_TRUE(first->Prepare(owner).has_value());
  auto writer = first->OpenWriter();
  ASSERT_TRUE((*writer)->Write(Ids({1}), rejects).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  ASSERT_TRUE(first->Commit().ok());

  // At Prepare: the target holds 5.
  auto stale = t.make_sink("ckpt_fence");
  Result<std::string> refused = stale->Prepare(RunRequest(job, 4));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kConflict);
  EXPECT_NE(refused.error().message().find("job ckpt_fence"), std::string::npos)
      << refused.error().message();
  EXPECT_NE(refused.error().message().find("fence 5, higher than this run's 4"), std::string::npos)
      << refused.error().message();
  // The same token again is the same owner: accepted.
  ASSERT_TRUE(stale->Prepare(RunRequest(job, 5)).has_value());
  ASSERT_TRUE(stale->Abort().ok());
  if (!t.concurrent_writers) return;

  // At commit: another owner raised the fence while this run was writing.
  auto old_owner = t.make_sink("ckpt_fence");
  ASSERT_TRUE(old_owner->Prepare(RunRequest(job, 6)).has_value());
  auto old_writer = old_owner->OpenWriter();
  ASSERT_TRUE((*old_writer)->Write(Ids({2}), rejects).ok());
  ASSERT_TRUE((*old_writer)->Finish().ok());
  auto new_owner = t.make_sink("ckpt_fence");
  ASSERT_TRUE(new_owner->Prepare(RunRequest(job, 7)).has_value());
  ASSERT_TRUE(new_owner->Abort().ok());
  Status lost = old_owner->Checkpoint(At("x", "y"));
  EXPECT_EQ(lost.code(), StatusCode::kConflict) << lost.ToString();
  EXPECT_NE(lost.message().find("lost the lease of job ckpt_fence: another process (fence 7) "
                                "owns it"),
            std::string::npos)
      << lost.message();
  (void)old_owner->Abort();
  EXPECT_EQ(t.rows("ckpt_fence"), "1:n");
}

// Recover raises the fence before it looks: a writer of the killed run that is still alive
// can never commit afterwards.
inline void RecoverFencesOffAWriterStillAlive(const CheckpointTarget& t) {
  if (!t.concurrent_writers) return;
  const std::string job = "ckpt_zombie";
  auto zombie = t.make_sink("ckpt_zombie");
  WriteRequest request = RunRequest(job, 8);
  Result<std::string> state = zombie->Prepare(request);
  ASSERT_TRUE(state.has_value());
  auto writer = zombie->OpenWriter();
  NoRejects rejects;
  ASSERT_TRUE((*writer)->Write(Ids({1}), rejects).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  Result<bool> recovered =
      t.make_sink("ckpt_zombie")->Recover(PendingRun{request.run_id, *state, job, 9});
  ASSERT_TRUE(recovered.has_value()) << recovered.error().ToString();
  EXPECT_FALSE(*recovered);
  EXPECT_FALSE(zombie->Commit().ok());
  (void)zombie->Abort();
  EXPECT_EQ(t.rows("ckpt_zombie"), "");
}

inline void PositionsStayOneRowPerStream(const CheckpointTarget& t) {
  const std::string job = "ckpt_bounded";
  for (int run = 0; run < 3; ++run) {
    auto sink = t.make_sink("ckpt_bounded");
    ASSERT_TRUE(sink->Prepare(RunRequest(job, 10)).has_value());
    auto writer = sink->OpenWriter();
    for (int i = 0; i < 10; ++i) {
      const int64_t id = run * 100 + i;
      WriteAndCheckpoint(*sink, **writer, Ids({id}),
                         At("a" + std::to_string(id), "b" + std::to_string(id)));
    }
    ASSERT_TRUE(sink->CommitWithPositions(At("end", "end")).ok());
  }
  EXPECT_EQ(t.position_rows(job), 3);  // the run row and two streams, after 33 commits
}

inline void OverwriteCannotCheckpoint(const CheckpointTarget& t) {
  auto sink = t.make_sink("ckpt_overwrite");
  ASSERT_TRUE(sink->Prepare(RunRequest("ckpt_overwrite", 1, WriteMode::kOverwrite)).has_value());
  auto writer = sink->OpenWriter();
  NoRejects rejects;
  ASSERT_TRUE((*writer)->Write(Ids({1}), rejects).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  Status st = sink->Checkpoint(At("a", "b"));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("write_mode overwrite cannot checkpoint"), std::string::npos)
      << st.message();
  (void)sink->Abort();
}

// Upsert: what a checkpoint commits is merged into the table; the next rows merge over it.
inline void UpsertMergesAtEachCheckpoint(const CheckpointTarget& t) {
  auto sink = t.make_sink("ckpt_upsert");
  ASSERT_TRUE(sink->Prepare(RunRequest("ckpt_upsert", 1, WriteMode::kUpsert)).has_value());
  auto writer = sink->OpenWriter();
  WriteAndCheckpoint(*sink, **writer, Ids({1, 2}, "a"), At("1", "1"));
  EXPECT_EQ(t.rows("ckpt_upsert"), "1:a,2:a");
  WriteAndCheckpoint(*sink, **writer, Ids({2, 3}, "b"), At("2", "2"));
  NoRejects rejects;
  ASSERT_TRUE((*writer)->Write(Ids({3, 4}, "c"), rejects).ok());
  ASSERT_TRUE((*writer)->Finish().ok());
  ASSERT_TRUE(sink->CommitWithPositions(At("3", "3")).ok());
  EXPECT_EQ(t.rows("ckpt_upsert"), "1:a,2:b,3:c,4:c");
}

}  // namespace sluice::sql_common::testing
