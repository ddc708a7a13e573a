// Real pgoutput messages, damaged: cut at every length and with bytes flipped. Decoding must
// always fail cleanly on a cut (naming the message and an offset inside it) and must never
// crash or read out of bounds on a flip; what a flip leaves decodable also goes through the
// tuple conversion. Failures here are the inputs to keep for a fuzz corpus.
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "connectors/postgres/replication/pgoutput_decoder.h"
#include "connectors/postgres/replication/pgoutput_live_testing.h"
#include "connectors/postgres/replication/replication_frames.h"
#include "connectors/postgres/replication/tuple_to_batch.h"

namespace sluice::postgres::replication {
namespace {

struct Sample {
  std::string bytes;
  bool in_stream = false;
};

// Every message before the streams, and the first few of each kind inside them (the stream
// holds thousands of alike Inserts).
std::vector<Sample> Samples() {
  const auto& messages = testing::GetCapture().messages;
  std::vector<Sample> out;
  std::map<std::pair<char, bool>, int> seen;
  PgOutputDecoder decoder;
  for (const std::string& m : messages) {
    const bool in_stream = decoder.in_stream();
    Result<PgOutputMessage> ok = decoder.Decode(m);
    if (!ok) throw std::runtime_error(ok.error().ToString());
    if (seen[{m[0], in_stream}]++ < 3) out.push_back({m, in_stream});
  }
  return out;
}

// "pgoutput Insert at offset 13: ..." with an offset within the message.
void ExpectNamedError(const Status& st, size_t size, const std::string& context) {
  const std::string& msg = st.message();
  EXPECT_EQ(msg.rfind("pgoutput ", 0), 0u) << context << ": " << msg;
  const size_t at = msg.find(" at offset ");
  ASSERT_NE(at, std::string::npos) << context << ": " << msg;
  const size_t offset = std::stoul(msg.substr(at + 11));
  EXPECT_LE(offset, size) << context << ": " << msg;
}

TEST(PgOutputMalformedTest, EveryTruncationIsAnError) {
  const std::vector<Sample> samples = Samples();
  ASSERT_GE(samples.size(), 20u);
  std::set<char> kinds;
  size_t cuts = 0;
  for (const Sample& s : samples) {
    kinds.insert(s.bytes[0]);
    for (size_t len = 0; len < s.bytes.size(); ++len) {
      // A copy of exactly `len` bytes, so a read past the end would touch memory the
      // sanitizers and the allocator know is outside.
      const std::string cut = s.bytes.substr(0, len);
      Result<PgOutputMessage> m = DecodePgOutputMessage(cut, s.in_stream);
      ASSERT_FALSE(m.has_value()) << s.bytes[0] << " cut at " << len;
      ExpectNamedError(m.error(), len, fmt::format("'{}' cut at {}", s.bytes[0], len));
      ++cuts;
    }
    // Within an XLogData frame, a cut frame header is an error too.
    std::string frame = "w";
    frame.append(24, '\0');
    frame += s.bytes;
    for (size_t len = 0; len < 25; ++len) {
      EXPECT_FALSE(DecodeReplicationFrame(frame.substr(0, len)).has_value());
    }
  }
  // Every message kind the scenario produces was damaged.
  EXPECT_EQ(kinds,
            (std::set<char>{'B', 'C', 'O', 'Y', 'R', 'I', 'U', 'D', 'T', 'M', 'S', 'E', 'c', 'A'}));
  EXPECT_GT(cuts, 10000u);
}

TEST(PgOutputMalformedTest, FlippedBytesNeverCrash) {
  const std::vector<Sample> samples = Samples();
  const testing::Capture& capture = testing::GetCapture();
  // The relations, to push what still decodes through the tuple conversion.
  RelationCache cache;
  PgOutputDecoder decoder;
  for (const std::string& m : capture.messages) {
    Result<PgOutputMessage> ok = decoder.Decode(m);
    if (auto* r = std::get_if<RelationMessage>(&*ok)) cache.Apply(*r);
  }
  std::map<uint32_t, TuplePlan> plans;
  auto plan_for = [&](uint32_t oid) -> const TuplePlan* {
    if (auto it = plans.find(oid); it != plans.end()) return &it->second;
    const CachedRelation* rel = cache.Find(oid);
    if (rel == nullptr) return nullptr;
    Result<TuplePlan> plan =
        PlanTuple(*rel, testing::CatalogResolver(capture.db_url), /*unknown_as_text=*/true);
    if (!plan) throw std::runtime_error(plan.error().ToString());
    return &plans.emplace(oid, std::move(*plan)).first->second;
  };
  size_t decoded = 0, refused = 0;
  for (const Sample& s : samples) {
    for (size_t pos = 0; pos < s.bytes.size(); ++pos) {
      // The middle of a long value is plain text; its length and the fields around it are
      // what can go wrong.
      if (pos == 2048 && s.bytes.size() > 2048 + 256) pos = s.bytes.size() - 256;
      for (uint8_t mask : {0x01, 0x80, 0xff}) {
        std::string bad = s.bytes;
        bad[pos] = static_cast<char>(bad[pos] ^ mask);
        Result<PgOutputMessage> m = DecodePgOutputMessage(bad, s.in_stream);
        if (!m) {
          ++refused;
          if (m.error().message().rfind("pgoutput message at offset 0", 0) != 0) {
            ExpectNamedError(m.error(), bad.size(), fmt::format("flip at {}", pos));
          }
          continue;
        }
        ++decoded;
        const TupleData* tuple = nullptr;
        uint32_t oid = 0;
        if (auto* ins = std::get_if<InsertMessage>(&*m)) {
          tuple = &ins->new_tuple;
          oid = ins->relation_oid;
        } else if (auto* upd = std::get_if<UpdateMessage>(&*m)) {
          tuple = &upd->new_tuple;
          oid = upd->relation_oid;
        }
        const TuplePlan* plan = tuple ? plan_for(oid) : nullptr;
        if (plan == nullptr) continue;
        Batch batch(plan->schema);
        (void)AppendTuple(*tuple, *plan, RowKind::kInsert, SpecialValues::kError, batch);
        EXPECT_LE(batch.num_rows(), 1u);
        for (const Column& col : batch.columns) EXPECT_EQ(col.size(), batch.num_rows());
      }
    }
  }
  EXPECT_GT(refused, 0u);
  EXPECT_GT(decoded, 0u);
}

}  // namespace
}  // namespace sluice::postgres::replication
