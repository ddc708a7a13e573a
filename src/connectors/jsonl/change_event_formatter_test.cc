#include "connectors/jsonl/change_event_formatter.h"

#include <gtest/gtest.h>

#include "connectors/file_common/file_test_util.h"
#include "connectors/jsonl/jsonl_sink.h"

namespace sluice {
namespace {

Schema IdNameSchema() {
  Schema schema;
  schema.fields.push_back({"id", DataType::Of(TypeId::kInt64), false});
  schema.fields.push_back({"name", DataType::Of(TypeId::kString), true});
  return schema;
}

// Appends a row; `name` nullptr is NULL.
void Add(Batch& b, RowKind kind, int64_t id, const char* name, int64_t commit_ms = 7000) {
  b.columns[0].AppendInt(id);
  if (name == nullptr) {
    b.columns[1].AppendNull();
  } else {
    b.columns[1].AppendBytes(name);
  }
  b.row_kinds.push_back(kind);
  b.commit_millis.push_back(commit_ms);
}

Batch Changes() {
  Batch b(IdNameSchema());
  b.source_table = "shop.orders";
  b.position = "mysql-bin.000003:1234";
  return b;
}

std::string Format(const Batch& b, std::vector<std::string> key = {"id"},
                   bool force_snapshot = false) {
  ChangeEventFormatter f(JsonlWriteFormat{}, IdNameSchema(), {"mysql", std::move(key)});
  std::string out;
  f.AppendEvents(b, 99, force_snapshot, out);
  return out;
}

constexpr const char* kSource =
    R"("source":{"connector":"mysql","db":"shop","table":"orders",)"
    R"("position":"mysql-bin.000003:1234","ts_ms":7000,"snapshot":false},"ts_ms":99})";

TEST(ChangeEventFormatterTest, InsertUpdateDelete) {
  Batch b = Changes();
  Add(b, RowKind::kInsert, 1, "a");
  Add(b, RowKind::kUpdateBefore, 1, "a");
  Add(b, RowKind::kUpdateAfter, 1, "b");
  Add(b, RowKind::kDelete, 1, "b");
  EXPECT_EQ(Format(b),
            std::string(R"({"op":"c","before":null,"after":{"id":1,"name":"a"},)") + kSource +
                "\n" + R"({"op":"u","before":{"id":1,"name":"a"},"after":{"id":1,"name":"b"},)" +
                kSource + "\n" + R"({"op":"d","before":{"id":1,"name":"b"},"after":null,)" +
                kSource + "\n");
}

TEST(ChangeEventFormatterTest, NullIsNotTheEmptyStringAndUnicodeIsKept) {
  Batch b = Changes();
  Add(b, RowKind::kInsert, 1, nullptr);
  Add(b, RowKind::kInsert, 2, "");
  Add(b, RowKind::kInsert, 3, "h\xC3\xA9 \xF0\x9F\x98\x80 \"q\"\n");
  EXPECT_EQ(Format(b),
            std::string(R"({"op":"c","before":null,"after":{"id":1,"name":null},)") + kSource +
                "\n" + R"({"op":"c","before":null,"after":{"id":2,"name":""},)" + kSource + "\n" +
                "{\"op\":\"c\",\"before\":null,\"after\":{\"id\":3,\"name\":\"h\xC3\xA9 "
                "\xF0\x9F\x98\x80 \\\"q\\\"\\n\"}," +
                kSource + "\n");
}

TEST(ChangeEventFormatterTest, KeyMoveIsDeleteThenCreate) {
  // The binlog source sends an update that changes the key as kUpdateBefore + kUpdateAfter
  // with different keys; Debezium writes it as a delete of the old key and a create.
  Batch b = Changes();
  Add(b, RowKind::kUpdateBefore, 1, "a");
  Add(b, RowKind::kUpdateAfter, 5, "a");
  EXPECT_EQ(Format(b),
            std::string(R"({"op":"d","before":{"id":1,"name":"a"},"after":null,)") + kSource +
                "\n" + R"({"op":"c","before":null,"after":{"id":5,"name":"a"},)" + kSource + "\n");
  // Without a key the pair stays one update.
  EXPECT_EQ(Format(b, {}),
            std::string(R"({"op":"u","before":{"id":1,"name":"a"},"after":{"id":5,"name":"a"},)") +
                kSource + "\n");
}

TEST(ChangeEventFormatterTest, UpdateWithoutBeforeImageAndLoneBeforeImage) {
  Batch b = Changes();
  Add(b, RowKind::kUpdateAfter, 1, "b");
  Add(b, RowKind::kUpdateBefore, 2, "x");  // a filter took its after image out
  EXPECT_EQ(Format(b),
            std::string(R"({"op":"u","before":null,"after":{"id":1,"name":"b"},)") + kSource +
                "\n" + R"({"op":"d","before":{"id":2,"name":"x"},"after":null,)" + kSource + "\n");
}

TEST(ChangeEventFormatterTest, SnapshotReadsAndUnknownSourceDetails) {
  Batch b(IdNameSchema());
  b.snapshot = true;
  b.columns[0].AppendInt(1);
  b.columns[1].AppendBytes("a");
  EXPECT_EQ(Format(b),
            R"({"op":"r","before":null,"after":{"id":1,"name":"a"},"source":{"connector":"mysql",)"
            R"("db":null,"table":null,"position":null,"ts_ms":null,"snapshot":true},"ts_ms":99})"
            "\n");
}

TEST(ChangeEventFormatterTest, SinkWritesEventsOnlyForChangeRowsOfRealtimeRuns) {
  testing::TempDir dir;
  const std::string path = dir / "e.jsonl";
  Batch changes = Changes();
  Add(changes, RowKind::kDelete, 1, "a");
  Batch plain(IdNameSchema());
  plain.columns[0].AppendInt(2);
  plain.columns[1].AppendBytes("b");
  WriteRequest req;
  req.run_id = "r1";
  req.schema = IdNameSchema();
  req.realtime = true;
  req.source_connector = "mysql";
  auto sink = JsonlSink::Make(testing::MakeOptions({{"path", path}}), ConnectorContext{});
  ASSERT_TRUE(sink.has_value());
  testing::RecordingRejectSink rejects;
  ASSERT_TRUE(testing::WriteAll(**sink, req, {&changes, &plain}, rejects));
  const std::string text = testing::ReadFile(path);
  EXPECT_EQ(text.substr(0, text.find("\"ts_ms\":7000")),
            R"({"op":"d","before":{"id":1,"name":"a"},"after":null,"source":{"connector":)"
            R"("mysql","db":"shop","table":"orders","position":"mysql-bin.000003:1234",)");
  EXPECT_EQ(text.substr(text.rfind('\n', text.size() - 2) + 1), "{\"id\":2,\"name\":\"b\"}\n");

  // format: rows keeps plain rows; a bad value names the choices.
  auto rows = JsonlSink::Make(testing::MakeOptions({{"path", dir / "r.jsonl"}, {"format", "rows"}}),
                              ConnectorContext{});
  ASSERT_TRUE(rows.has_value());
  ASSERT_TRUE(testing::WriteAll(**rows, req, {&changes}, rejects));
  EXPECT_EQ(testing::ReadFile(dir / "r.jsonl"), "{\"id\":1,\"name\":\"a\"}\n");
  auto bad = JsonlSink::Make(testing::MakeOptions({{"path", "x"}, {"format", "debezium"}}),
                             ConnectorContext{});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("expected auto, rows or changes, got 'debezium'"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice
