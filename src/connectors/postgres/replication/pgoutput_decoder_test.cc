// pgoutput messages built byte by byte: every kind, the xid inside streams, and errors that name
// the message and the offset. (pgoutput_live_test.cc decodes what a real server sends.)
#include "connectors/postgres/replication/pgoutput_decoder.h"

#include <deque>

#include <gtest/gtest.h>

#include "connectors/postgres/replication/pgoutput_test_bytes.h"
#include "connectors/postgres/replication/relation_cache.h"

namespace sluice::postgres::replication {
namespace {

using testing::Bytes;

constexpr int64_t kPgEpochUnixMicros = 946684800LL * 1'000'000;

// Decoded messages view their bytes: keep every input alive for the whole test program.
std::string_view Keep(std::string bytes) {
  static std::deque<std::string> kept;
  return kept.emplace_back(std::move(bytes));
}

template <typename T>
T DecodeAs(const std::string& bytes, bool in_stream = false) {
  Result<PgOutputMessage> m = DecodePgOutputMessage(Keep(bytes), in_stream);
  if (!m) ADD_FAILURE() << m.error().ToString();
  if (!m || !std::holds_alternative<T>(*m)) return T{};
  return std::get<T>(*m);
}

std::string ErrorOf(const std::string& bytes, bool in_stream = false) {
  Result<PgOutputMessage> m = DecodePgOutputMessage(bytes, in_stream);
  return m ? "<no error>" : m.error().message();
}

TEST(PgOutputDecoderTest, BeginCommitOrigin) {
  auto begin = DecodeAs<BeginMessage>(Bytes('B').U64(0x300).U64(1'000'000).U32(745).str());
  EXPECT_EQ(begin.final_lsn.value, 0x300u);
  EXPECT_EQ(begin.commit_time_us, kPgEpochUnixMicros + 1'000'000);
  EXPECT_EQ(begin.xid, 745u);
  auto commit = DecodeAs<CommitMessage>(Bytes('C').U8(0).U64(0x300).U64(0x330).U64(5).str());
  EXPECT_EQ(commit.commit_lsn.value, 0x300u);
  EXPECT_EQ(commit.end_lsn.value, 0x330u);
  EXPECT_EQ(commit.commit_time_us, kPgEpochUnixMicros + 5);
  auto origin = DecodeAs<OriginMessage>(Bytes('O').U64(0x10).Str("node_a").str());
  EXPECT_EQ(origin.name, "node_a");
  EXPECT_EQ(origin.commit_lsn.value, 0x10u);
}

std::string RelationBytes(bool streamed) {
  Bytes b('R');
  if (streamed) b.U32(900);
  b.U32(16384).Str("").Str("t").U8('f').I16(2);
  b.U8(1).Str("id").U32(23).U32(static_cast<uint32_t>(-1));
  b.U8(0).Str("v").U32(1043).U32(14);
  return b.str();
}

TEST(PgOutputDecoderTest, RelationAndCache) {
  auto rel = DecodeAs<RelationMessage>(RelationBytes(false));
  EXPECT_EQ(rel.xid, 0u);
  EXPECT_EQ(rel.oid, 16384u);
  EXPECT_EQ(rel.name, "t");
  EXPECT_EQ(rel.replica_identity, ReplicaIdentity::kFull);
  ASSERT_EQ(rel.columns.size(), 2u);
  EXPECT_TRUE(rel.columns[0].key);
  EXPECT_EQ(rel.columns[0].typmod, -1);
  EXPECT_FALSE(rel.columns[1].key);
  EXPECT_EQ(rel.columns[1].type_oid, 1043u);
  EXPECT_EQ(rel.columns[1].typmod, 14);
  auto streamed = DecodeAs<RelationMessage>(RelationBytes(true), /*in_stream=*/true);
  EXPECT_EQ(streamed.xid, 900u);
  EXPECT_EQ(streamed.columns.size(), 2u);

  RelationCache cache;
  EXPECT_FALSE(cache.Get(16384).has_value());
  std::string bytes = RelationBytes(false);
  cache.Apply(DecodeAs<RelationMessage>(bytes));
  bytes.assign(bytes.size(), 'x');  // the cache holds copies, not views
  ASSERT_NE(cache.Find(16384), nullptr);
  EXPECT_EQ(cache.Find(16384)->QualifiedName(), "pg_catalog.t");
  EXPECT_EQ(cache.Find(16384)->columns[1].name, "v");
  // A later Relation for the same oid replaces the description.
  cache.Apply(
      DecodeAs<RelationMessage>(Bytes('R').U32(16384).Str("s").Str("t2").U8('d').I16(0).str()));
  EXPECT_EQ(cache.Find(16384)->QualifiedName(), "s.t2");
  EXPECT_TRUE(cache.Find(16384)->columns.empty());
  cache.Apply(DecodeAs<TypeMessage>(Bytes('Y').U32(70000).Str("public").Str("mood").str()));
  ASSERT_NE(cache.FindType(70000), nullptr);
  EXPECT_EQ(cache.FindType(70000)->name, "mood");
}

TEST(PgOutputDecoderTest, ChangesWithTupleKinds) {
  auto ins = DecodeAs<InsertMessage>(
      Bytes('I').U32(16384).U8('N').I16(4).Text("1").Null().Unchanged().Text("").str());
  ASSERT_EQ(ins.new_tuple.size(), 4u);
  EXPECT_EQ(ins.new_tuple[0].kind, TupleValueKind::kText);
  EXPECT_EQ(ins.new_tuple[0].bytes, "1");
  EXPECT_EQ(ins.new_tuple[1].kind, TupleValueKind::kNull);
  EXPECT_EQ(ins.new_tuple[2].kind, TupleValueKind::kUnchanged);
  EXPECT_EQ(ins.new_tuple[3].kind, TupleValueKind::kText);
  EXPECT_EQ(ins.new_tuple[3].bytes, "");

  auto plain = DecodeAs<UpdateMessage>(Bytes('U').U32(1).U8('N').I16(1).Text("a").str());
  EXPECT_EQ(plain.old_kind, OldTupleKind::kNone);
  EXPECT_TRUE(plain.old_tuple.empty());
  auto keyed = DecodeAs<UpdateMessage>(
      Bytes('U').U32(1).U8('K').I16(1).Text("k").U8('N').I16(1).Text("a").str());
  EXPECT_EQ(keyed.old_kind, OldTupleKind::kKey);
  EXPECT_EQ(keyed.old_tuple[0].bytes, "k");
  EXPECT_EQ(keyed.new_tuple[0].bytes, "a");
  auto del = DecodeAs<DeleteMessage>(Bytes('D').U32(1).U8('O').I16(1).Text("o").str());
  EXPECT_EQ(del.old_kind, OldTupleKind::kOld);

  auto trunc = DecodeAs<TruncateMessage>(Bytes('T').U32(2).U8(3).U32(10).U32(11).str());
  EXPECT_EQ(trunc.options, TruncateMessage::kCascade | TruncateMessage::kRestartIdentity);
  EXPECT_EQ(trunc.relation_oids, (std::vector<uint32_t>{10, 11}));

  auto msg = DecodeAs<LogicalMessage>(
      Bytes('M').U8(1).U64(0x99).Str("pfx").U32(3).Raw(std::string("a\0b", 3)).str());
  EXPECT_TRUE(msg.transactional);
  EXPECT_EQ(msg.prefix, "pfx");
  EXPECT_EQ(msg.content, std::string_view("a\0b", 3));
}

TEST(PgOutputDecoderTest, StreamsCarryXids) {
  PgOutputDecoder d;
  auto step = [&](const std::string& bytes) {
    Result<PgOutputMessage> m = d.Decode(Keep(bytes));
    if (!m) ADD_FAILURE() << m.error().ToString();
    return m ? *m : PgOutputMessage{StreamStopMessage{}};
  };
  auto start = std::get<StreamStartMessage>(step(Bytes('S').U32(900).U8(1).str()));
  EXPECT_EQ(start.xid, 900u);
  EXPECT_TRUE(start.first_segment);
  EXPECT_TRUE(d.in_stream());
  auto ins = std::get<InsertMessage>(step(Bytes('I').U32(901).U32(5).U8('N').I16(0).str()));
  EXPECT_EQ(ins.xid, 901u);
  EXPECT_EQ(ins.relation_oid, 5u);
  // Without the xid the same bytes are misread, and the decoder says so.
  EXPECT_FALSE(DecodePgOutputMessage(Bytes('I').U32(5).U8('N').I16(0).str(), true).has_value());
  step(Bytes('E').str());
  EXPECT_FALSE(d.in_stream());
  auto commit = std::get<StreamCommitMessage>(
      step(Bytes('c').U32(900).U8(0).U64(0x500).U64(0x530).U64(7).str()));
  EXPECT_EQ(commit.xid, 900u);
  EXPECT_EQ(commit.end_lsn.value, 0x530u);
  auto abort = std::get<StreamAbortMessage>(step(Bytes('A').U32(900).U32(901).str()));
  EXPECT_EQ(abort.subxid, 901u);
  // Stream Stop outside a segment, Stream Start inside one: refused, state kept.
  EXPECT_FALSE(d.Decode(Bytes('E').str()).has_value());
  step(Bytes('S').U32(902).U8(0).str());
  EXPECT_FALSE(d.Decode(Bytes('S').U32(903).U8(0).str()).has_value());
  EXPECT_TRUE(d.in_stream());
}

TEST(PgOutputDecoderTest, ErrorsNameTheMessageAndOffset) {
  EXPECT_EQ(ErrorOf(""),
            "pgoutput message at offset 0: truncated: message kind needs 1 bytes, "
            "0 left");
  EXPECT_EQ(ErrorOf("Z"), "pgoutput message at offset 0: unknown message kind 0x5a");
  EXPECT_NE(ErrorOf("P").find("two-phase"), std::string::npos);
  EXPECT_EQ(ErrorOf(Bytes('B').U64(1).str()),
            "pgoutput Begin at offset 9: truncated: commit time needs 8 bytes, 0 left");
  EXPECT_EQ(ErrorOf(Bytes('I').U32(1).U8('N').I16(1).U8('x').str()),
            "pgoutput Insert at offset 8: unknown column kind 0x78");
  EXPECT_EQ(ErrorOf(Bytes('I').U32(1).U8('N').I16(1).U8('t').U32(5).Raw("ab").str()),
            "pgoutput Insert at offset 13: truncated: value needs 5 bytes, 2 left");
  EXPECT_EQ(ErrorOf(Bytes('I').U32(1).U8('N').I16(0).Raw("zz").str()),
            "pgoutput Insert at offset 8: 2 unexpected trailing bytes");
  EXPECT_EQ(ErrorOf(Bytes('R').U32(1).Str("s").Raw("t").str()),
            "pgoutput Relation at offset 7: unterminated string for relation name");
  EXPECT_EQ(ErrorOf(Bytes('D').U32(1).U8('N').I16(0).str()),
            "pgoutput Delete at offset 5: expected tuple marker 'K' or 'O', got 0x4e");
  EXPECT_EQ(ErrorOf(Bytes('T').U32(1000000).U8(0).U32(1).str()),
            "pgoutput Truncate at offset 6: 1000000 relations but 4 bytes left");
  EXPECT_EQ(ErrorOf(Bytes('I').U32(1).U8('N').I16(30000).str()),
            "pgoutput Insert at offset 8: 30000 columns but 0 bytes left");
}

}  // namespace
}  // namespace sluice::postgres::replication
