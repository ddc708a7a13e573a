// pgoutput as a real PostgreSQL sends it: the exact sequence of messages for inserts, updates
// (with and without key change, with an unchanged TOASTed value), deletes, REPLICA IDENTITY
// FULL, logical decoding messages, TRUNCATE and a streamed transaction with a rolled-back
// savepoint; every value compared with what SELECT returned, and the typed values compared with
// what the batch reader reads from the same rows.
#include <map>

#include <gtest/gtest.h>

#include "connectors/postgres/replication/pgoutput_decoder.h"
#include "connectors/postgres/replication/pgoutput_live_testing.h"
#include "connectors/postgres/replication/relation_cache.h"
#include "connectors/postgres/replication/tuple_to_batch.h"

namespace sluice::postgres::replication {
namespace {

using testing::GetCapture;
using testing::Row;

std::vector<PgOutputMessage> DecodeAll(const std::vector<std::string>& messages) {
  PgOutputDecoder decoder;
  std::vector<PgOutputMessage> out;
  for (size_t i = 0; i < messages.size(); ++i) {
    Result<PgOutputMessage> m = decoder.Decode(messages[i]);
    if (!m) throw std::runtime_error(fmt::format("message {}: {}", i, m.error().ToString()));
    out.push_back(std::move(*m));
  }
  return out;
}

Row Texts(const TupleData& t) {
  Row row;
  for (const TupleValue& v : t) {
    row.push_back(v.kind == TupleValueKind::kNull        ? "NULL"
                  : v.kind == TupleValueKind::kUnchanged ? "<unchanged>"
                                                         : std::string(v.bytes));
  }
  return row;
}

// "Begin, Insert x3, Commit, ...": the sequence from `from` on, for failure messages.
std::string Summary(const std::vector<PgOutputMessage>& messages, size_t from) {
  std::string out;
  for (size_t i = from; i < messages.size();) {
    size_t n = 1;
    while (i + n < messages.size() && messages[i + n].index() == messages[i].index()) ++n;
    out += fmt::format("{}{}{}", out.empty() ? "" : ", ", MessageName(messages[i]),
                       n > 1 ? fmt::format(" x{}", n) : "");
    if (auto* a = std::get_if<StreamAbortMessage>(&messages[i])) {
      out += fmt::format(" ({} {})", a->xid, a->subxid);
    }
    i += n;
  }
  return out;
}

class PgOutputLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    messages_ = DecodeAll(GetCapture().messages);
    // The part before the streamed transactions: one message each, in this exact order.
    for (const PgOutputMessage& m : messages_) {
      if (std::holds_alternative<StreamStartMessage>(m)) break;
      ++plain_;
    }
  }
  template <typename T>
  const T& At(size_t i) const {
    return std::get<T>(messages_.at(i));
  }
  std::vector<PgOutputMessage> messages_;
  size_t plain_ = 0;
};

TEST_F(PgOutputLiveTest, ExactSequenceOfMessages) {
  std::vector<std::string> kinds;
  for (size_t i = 0; i < plain_; ++i) kinds.push_back(MessageName(messages_[i]));
  const std::vector<std::string> want = {
      "Begin", "Type", "Type", "Relation", "Insert", "Insert", "Insert", "Commit",  // ids 1-3
      "Begin", "Update", "Commit",                               // i2 + 1, big 'u'
      "Begin", "Update", "Commit",                               // id 2 -> 10
      "Begin", "Delete", "Commit",                               // id 3
      "Begin", "Relation", "Insert", "Commit",                   // full_t
      "Begin", "Update", "Commit", "Begin", "Delete", "Commit",  //
      "Begin", "Message", "Commit",                              // transactional
      "Message",                                                 // non-transactional
      // TRUNCATE gives the table a new relfilenode, which invalidates what pgoutput sent:
      // it describes the relation again first.
      "Begin", "Relation", "Truncate", "Commit",
      // Replayed from an origin. The TRUNCATE's own invalidation takes effect at its commit,
      // so the table is described once more at its next change.
      "Begin", "Origin", "Relation", "Insert", "Commit"};
  EXPECT_EQ(kinds, want) << Summary(messages_, 0);
  ASSERT_EQ(plain_, want.size());

  EXPECT_EQ(At<TypeMessage>(1).name, "mood");
  EXPECT_EQ(At<TypeMessage>(1).namespace_name, testing::kSchema);
  // For a domain, pgoutput sends the domain's oid with its base type's name (pg_catalog is
  // sent as "").
  EXPECT_EQ(At<TypeMessage>(2).name, "int4");
  EXPECT_EQ(At<TypeMessage>(2).namespace_name, "");
  const auto& kinds_rel = At<RelationMessage>(3);
  EXPECT_EQ(kinds_rel.namespace_name, testing::kSchema);
  EXPECT_EQ(kinds_rel.name, "kinds");
  EXPECT_EQ(kinds_rel.replica_identity, ReplicaIdentity::kDefault);
  ASSERT_EQ(kinds_rel.columns.size(), 27u);
  for (size_t c = 0; c < 27; ++c) EXPECT_EQ(kinds_rel.columns[c].key, c == 0) << c;
  EXPECT_EQ(kinds_rel.columns[6].name, "n");
  EXPECT_EQ(kinds_rel.columns[6].typmod, ((12 << 16) | 3) + 4);
  EXPECT_EQ(kinds_rel.columns[9].typmod, 14);  // varchar(10)
  EXPECT_EQ(kinds_rel.columns[14].typmod, 3);  // timestamp(3)
  EXPECT_EQ(kinds_rel.columns[23].type_oid, At<TypeMessage>(1).oid);
  EXPECT_EQ(kinds_rel.columns[24].type_oid, At<TypeMessage>(2).oid);

  const auto& full_rel = At<RelationMessage>(18);
  EXPECT_EQ(full_rel.name, "full_t");
  EXPECT_EQ(full_rel.replica_identity, ReplicaIdentity::kFull);
  for (const RelationColumn& c : full_rel.columns) EXPECT_TRUE(c.key) << c.name;  // FULL: all

  const auto& begin = At<BeginMessage>(0);
  const auto& commit = At<CommitMessage>(7);
  EXPECT_NE(begin.xid, 0u);
  EXPECT_EQ(begin.final_lsn, commit.commit_lsn);
  EXPECT_LT(commit.commit_lsn, commit.end_lsn);
  EXPECT_EQ(begin.commit_time_us, commit.commit_time_us);
  EXPECT_GT(commit.commit_time_us, 1'700'000'000'000'000);  // a Unix time in microseconds

  const auto& tx_msg = At<LogicalMessage>(28);
  EXPECT_TRUE(tx_msg.transactional);
  EXPECT_EQ(tx_msg.prefix, "sluice");
  EXPECT_EQ(tx_msg.content, "in a transaction");
  const auto& nt_msg = At<LogicalMessage>(30);
  EXPECT_FALSE(nt_msg.transactional);
  EXPECT_EQ(nt_msg.prefix, "sluice-nt");
  EXPECT_EQ(nt_msg.content, std::string_view("\x00\xff", 2));
  EXPECT_EQ(At<RelationMessage>(32).oid, full_rel.oid);
  const auto& trunc = At<TruncateMessage>(33);
  EXPECT_EQ(trunc.options, 0);
  EXPECT_EQ(trunc.relation_oids, std::vector<uint32_t>{full_rel.oid});
  const auto& origin = At<OriginMessage>(36);
  EXPECT_EQ(origin.name, fmt::format("sluice_pgo_{}", getpid()));
  EXPECT_EQ(origin.commit_lsn.ToString(), "0/ABCDEF");
  EXPECT_EQ(Texts(At<InsertMessage>(38).new_tuple), (Row{"2", "from elsewhere", "NULL"}));
}

TEST_F(PgOutputLiveTest, EveryValueIsWhatSelectReturned) {
  ASSERT_GE(plain_, 35u);
  const testing::Capture& c = GetCapture();
  const uint32_t kinds_oid = At<RelationMessage>(3).oid;
  for (size_t i = 0; i < 3; ++i) {
    const auto& ins = At<InsertMessage>(4 + i);
    EXPECT_EQ(ins.relation_oid, kinds_oid);
    EXPECT_EQ(ins.xid, 0u);
    EXPECT_EQ(Texts(ins.new_tuple), c.kinds_after_insert.at(i)) << "row " << i;
  }
  // Key unchanged: no old tuple; the TOASTed big column not sent ('u'), not NULL.
  const auto& upd = At<UpdateMessage>(9);
  EXPECT_EQ(upd.old_kind, OldTupleKind::kNone);
  Row want = c.kinds1_after_update;
  want.back() = "<unchanged>";
  EXPECT_EQ(Texts(upd.new_tuple), want);
  // Key changed: the old key ('K', other columns NULL), then the new row.
  const auto& key_upd = At<UpdateMessage>(12);
  EXPECT_EQ(key_upd.old_kind, OldTupleKind::kKey);
  Row old_key(27, "NULL");
  old_key[0] = "2";
  EXPECT_EQ(Texts(key_upd.old_tuple), old_key);
  EXPECT_EQ(Texts(key_upd.new_tuple), c.kinds10_after_key_update);
  const auto& del = At<DeleteMessage>(15);
  EXPECT_EQ(del.old_kind, OldTupleKind::kKey);
  old_key[0] = "3";
  EXPECT_EQ(Texts(del.old_tuple), old_key);
  // REPLICA IDENTITY FULL: whole old rows, TOASTed values included.
  EXPECT_EQ(Texts(At<InsertMessage>(19).new_tuple), c.full_after_insert);
  const auto& full_upd = At<UpdateMessage>(22);
  EXPECT_EQ(full_upd.old_kind, OldTupleKind::kOld);
  EXPECT_EQ(Texts(full_upd.old_tuple), c.full_after_insert);
  want = c.full_after_update;
  want.back() = "<unchanged>";
  EXPECT_EQ(Texts(full_upd.new_tuple), want);
  const auto& full_del = At<DeleteMessage>(25);
  EXPECT_EQ(full_del.old_kind, OldTupleKind::kOld);
  EXPECT_EQ(Texts(full_del.old_tuple), c.full_after_update);
}

std::string Cell(const Batch& b, size_t row, size_t col) {
  if (b.columns[col].IsNull(row)) return "NULL";
  std::string s;
  FormatValue(b.columns[col], row, s);
  return s;
}

TEST_F(PgOutputLiveTest, TypedValuesMatchTheBatchReader) {
  ASSERT_GE(plain_, 10u);
  const testing::Capture& c = GetCapture();
  RelationCache cache;
  cache.Apply(At<TypeMessage>(1));
  cache.Apply(At<TypeMessage>(2));
  cache.Apply(At<RelationMessage>(3));
  Result<const CachedRelation*> rel = cache.Get(At<InsertMessage>(4).relation_oid);
  ASSERT_TRUE(rel.has_value());
  Result<TuplePlan> plan = PlanTuple(**rel, testing::CatalogResolver(c.db_url), false);
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  Batch stream(plan->schema);
  for (size_t i = 0; i < 3; ++i) {
    Result<AppendedRow> r = AppendTuple(At<InsertMessage>(4 + i).new_tuple, *plan, RowKind::kInsert,
                                        SpecialValues::kNull, stream);
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
    EXPECT_FALSE(r->bad) << r->reason;
  }
  Result<AppendedRow> upd = AppendTuple(At<UpdateMessage>(9).new_tuple, *plan,
                                        RowKind::kUpdateAfter, SpecialValues::kNull, stream);
  ASSERT_TRUE(upd.has_value()) << upd.error().ToString();
  EXPECT_TRUE(stream.columns[26].IsUnchanged(3));
  for (size_t c = 0; c < stream.columns.size(); ++c) EXPECT_FALSE(stream.columns[c].IsUnchanged(0));

  auto source =
      postgres::testing::MakeSource({{"url", c.db_url},
                                     {"table", fmt::format("{}.kinds_snap", testing::kSchema)},
                                     {"special_values", "null"}});
  ReadRequest read;
  read.max_splits = 1;
  Status opened = source->Open(read);
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  postgres::testing::CollectingRejects rejects;
  std::vector<Batch> batches = postgres::testing::ReadAll(*source, rejects);
  EXPECT_TRUE(rejects.reasons.empty());
  ASSERT_EQ(batches.size(), 1u);
  const Batch& snap = batches[0];
  ASSERT_EQ(snap.num_rows(), 3u);
  ASSERT_EQ(source->schema().size(), plan->schema.size());
  for (size_t col = 0; col < plan->schema.size(); ++col) {
    EXPECT_EQ(TypeName(plan->schema.fields[col].type), TypeName(source->schema().fields[col].type))
        << plan->schema.fields[col].name;
  }
  for (size_t row = 0; row < 3; ++row) {
    const size_t snap_row = static_cast<size_t>(snap.columns[0].GetInt(row)) - 1;  // ids 1..3
    for (size_t col = 0; col < plan->schema.size(); ++col) {
      EXPECT_EQ(Cell(stream, snap_row, col), Cell(snap, row, col))
          << "id " << snap_row + 1 << " column " << plan->schema.fields[col].name;
    }
  }
  EXPECT_EQ(Cell(stream, 0, 15), "1900-01-01T00:00:00Z");  // text was +08:05:43 (LMT)
  EXPECT_EQ(Cell(stream, 2, 12), "-0043-03-15");           // 0044-03-15 BC
  EXPECT_EQ(Cell(stream, 0, 21), R"(["a b",null,"NULL","q\"x"])");
}

// The streamed part, with each segment shown as the kinds it holds ("[Relation Insert]") and
// repeats of the same segment folded ("[Insert]+"): how many rows make a segment depends on
// the server's memory accounting, the order of what happens does not.
std::string StreamShape(const std::vector<PgOutputMessage>& messages, size_t from) {
  std::vector<std::string> tokens;
  std::string segment;
  for (size_t i = from; i < messages.size(); ++i) {
    const PgOutputMessage& m = messages[i];
    if (std::holds_alternative<StreamStartMessage>(m)) {
      segment = "[";
    } else if (std::holds_alternative<StreamStopMessage>(m)) {
      tokens.push_back(segment + "]");
      segment.clear();
    } else if (auto* a = std::get_if<StreamAbortMessage>(&m)) {
      tokens.push_back(a->xid == a->subxid ? "Abort" : "AbortSub");
    } else if (std::holds_alternative<StreamCommitMessage>(m)) {
      tokens.push_back("Commit");
    } else if (i == from || messages[i - 1].index() != m.index()) {
      segment += fmt::format("{}{}", segment.size() > 1 ? " " : "", MessageName(m));
    }
  }
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0 && tokens[i] == tokens[i - 1]) {
      if (out.back() != '+') out += '+';
      continue;
    }
    out += (out.empty() ? "" : " ") + tokens[i];
  }
  return out;
}

TEST_F(PgOutputLiveTest, StreamedSequence) {
  // The committed transaction: its first rows, the savepoint's rows (streamed, then aborted
  // by ROLLBACK TO), the updates and rows after it, and the commit; then the rolled-back
  // transaction and its abort. The Relation is sent again after the subtransaction's abort.
  EXPECT_EQ(StreamShape(messages_, plain_),
            "[Relation Insert] [Insert]+ AbortSub [Relation Update Insert] [Insert]+ Commit "
            "[Relation Insert] [Insert]+ Abort");
}

// Applies the streamed transactions the way a target must: collect per transaction, drop what
// a Stream Abort names, apply at Stream Commit. The result must be the table's final content.
TEST_F(PgOutputLiveTest, StreamedTransactions) {
  const uint32_t stream_oid = [&] {
    for (const PgOutputMessage& m : messages_) {
      if (auto* r = std::get_if<RelationMessage>(&m); r && r->name == "stream_t") return r->oid;
    }
    return 0u;
  }();
  ASSERT_NE(stream_oid, 0u);
  struct Change {
    uint32_t xid;
    bool insert;
    std::string id;
    std::string pad;
  };
  std::map<uint32_t, std::vector<Change>> pending;  // by top-level xid
  std::map<uint32_t, std::string> table;            // id -> pad
  uint32_t open_xid = 0;
  int starts = 0, first_segments = 0, stops = 0, sub_aborts = 0, whole_aborts = 0, commits = 0;
  bool relation_in_stream = false;
  for (size_t i = plain_; i < messages_.size(); ++i) {
    const PgOutputMessage& m = messages_[i];
    if (auto* s = std::get_if<StreamStartMessage>(&m)) {
      ++starts;
      first_segments += s->first_segment ? 1 : 0;
      open_xid = s->xid;
    } else if (std::holds_alternative<StreamStopMessage>(m)) {
      ++stops;
      open_xid = 0;
    } else if (auto* r = std::get_if<RelationMessage>(&m)) {
      EXPECT_NE(open_xid, 0u);
      EXPECT_NE(r->xid, 0u);
      relation_in_stream = true;
    } else if (auto* ins = std::get_if<InsertMessage>(&m)) {
      ASSERT_NE(open_xid, 0u) << "an Insert outside a stream segment at " << i;
      ASSERT_NE(ins->xid, 0u);
      EXPECT_EQ(ins->relation_oid, stream_oid);
      pending[open_xid].push_back({ins->xid, true, std::string(ins->new_tuple[0].bytes),
                                   std::string(ins->new_tuple[1].bytes)});
    } else if (auto* upd = std::get_if<UpdateMessage>(&m)) {
      ASSERT_NE(open_xid, 0u);
      pending[open_xid].push_back({upd->xid, false, std::string(upd->new_tuple[0].bytes),
                                   std::string(upd->new_tuple[1].bytes)});
    } else if (auto* a = std::get_if<StreamAbortMessage>(&m)) {
      EXPECT_EQ(open_xid, 0u);
      auto& changes = pending[a->xid];
      if (a->subxid == a->xid) {
        ++whole_aborts;
        changes.clear();
      } else {
        ++sub_aborts;
        std::erase_if(changes, [&](const Change& ch) { return ch.xid == a->subxid; });
      }
    } else if (auto* sc = std::get_if<StreamCommitMessage>(&m)) {
      ++commits;
      EXPECT_LT(sc->commit_lsn, sc->end_lsn);
      for (const Change& ch : pending[sc->xid]) table[std::stoul(ch.id)] = ch.pad;
      pending.erase(sc->xid);
    } else {
      ADD_FAILURE() << "unexpected " << MessageName(m) << " at " << i;
    }
  }
  SCOPED_TRACE(Summary(messages_, plain_));
  EXPECT_TRUE(relation_in_stream);
  EXPECT_GE(starts, 2);
  EXPECT_EQ(starts, stops);
  EXPECT_EQ(first_segments, 2);  // the committed and the rolled-back transaction
  EXPECT_EQ(sub_aborts, 1);
  EXPECT_EQ(whole_aborts, 1);
  EXPECT_EQ(commits, 1);
  const std::vector<Row>& want = GetCapture().stream_rows;
  ASSERT_EQ(table.size(), want.size());
  size_t i = 0;
  for (const auto& [id, pad] : table) {
    EXPECT_EQ(std::to_string(id), want[i][0]);
    EXPECT_EQ(pad, want[i][1]);
    ++i;
  }
}

}  // namespace
}  // namespace sluice::postgres::replication
