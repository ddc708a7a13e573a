// MariaDB's UUID, INET6 and INET4 types travel in row images as fixed binary (a UUID in the
// server's own byte order, trailing zero bytes stripped); a batch read gets text. A realtime
// run used to stop on the first UUID ("binlog type STRING cannot be read as uuid"); an INET6
// change would have been raw bytes. Now every value reads as the server writes it: UUIDs with
// every first byte of the version and of the variant field (both storage forms), IPv6
// addresses with every pattern of zero groups and the IPv4 forms, IPv4 addresses with zero
// tails; in inserts, updates and the snapshot.
#include "connectors/mysql/binlog_stream/binlog_run_fixture.h"

namespace sluice::mysql::binlog_stream {
namespace {

using testing::TestDatabase;

class FixedBinaryRunTest : public testing::RunFixture {};

// The UUIDs 12345678-9abc-VVde-WWf0-123456789abc for every first byte VV of the version field
// and these first bytes WW of the variant field: the server swaps the ones of version 1..5
// with the variant bit set, refuses version 8+ with variant 0 (INSERT IGNORE: NULL there).
std::vector<std::string> UuidValues() {
  std::vector<std::string> out;
  for (int version = 0; version < 256; ++version) {
    for (int variant : {0x00, 0x01, 0x3F, 0x5F, 0x60, 0x7F, 0x80, 0x9F, 0xBF, 0xC0, 0xFF}) {
      out.push_back(fmt::format("12345678-9abc-{:02x}de-{:02x}f0-123456789abc", version, variant));
    }
  }
  return out;
}

// Every pattern of zero and non-zero groups (the longest zero run is what `::` stands for),
// and the forms with an IPv4 tail.
std::vector<std::string> Inet6Values() {
  std::vector<std::string> out = {"::",
                                  "::1",
                                  "::2",
                                  "::1.2.3.4",
                                  "::0.1.0.0",
                                  "::ffff:1.2.3.4",
                                  "::ffff:0.0.0.0",
                                  "::ffff:0:1.2.3.4",
                                  "64:ff9b::1.2.3.4",
                                  "fe80::1",
                                  "::0.0.1.0",
                                  "::ffff",
                                  "::1:0",
                                  "::0.0.0.1",
                                  "0:0:0:0:0:fffe:1.2.3.4",
                                  "1:2:3:4:5:6:7:0",
                                  "2001:db8:0:0:1:0:0:1",
                                  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"};
  for (int mask = 0; mask < 256; ++mask) {
    std::string a;
    for (int g = 0; g < 8; ++g) {
      a += fmt::format("{}{:x}", g ? ":" : "", (mask >> g) & 1 ? 0x1000 * (g + 1) + mask : 0);
    }
    out.push_back(a);
  }
  return out;
}

TEST_F(FixedBinaryRunTest, UuidInet6AndInet4ArriveAsTheServerReadsThem) {
  TestDatabase db;
  TestDatabase target;
  db.Exec("CREATE TABLE t (id INT PRIMARY KEY, u UUID, i6 INET6, i4 INET4)");
  db.Exec(
      "INSERT INTO t VALUES (1, '123e4567-e89b-12d3-a456-426655440000', '2001:db8::1', "
      "'10.0.0.0'), (2, NULL, NULL, NULL), (3, '00000000-0000-0000-0000-000000000000', '::', "
      "'0.0.0.0')");
  WriteJobTo(db, fmt::format("{{type: mysql, url: \"{}\", table: t, write_mode: upsert, "
                             "key: [id]}}",
                             target.Url()));
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");

  const std::vector<std::string> uuids = UuidValues();
  const std::vector<std::string> inet6 = Inet6Values();
  const std::vector<std::string> inet4 = {"0.0.0.0", "255.255.255.255", "1.0.0.0",
                                          "1.2.0.0", "1.2.3.0",         "0.0.0.1"};
  int id = 100;
  std::string values;
  for (size_t i = 0; i < uuids.size(); ++i) {
    values += fmt::format("{}({}, '{}', '{}', '{}')", values.empty() ? "" : ", ", ++id, uuids[i],
                          inet6[i % inet6.size()], inet4[i % inet4.size()]);
  }
  db.Exec("INSERT IGNORE INTO t VALUES " + values);
  // Updates: the before image holds the old value, the after image the new one.
  db.Exec(
      "UPDATE t SET u = '6ba7b810-9dad-11d1-80b4-00c04fd430c8', i6 = '::ffff:10.0.0.1', "
      "i4 = '192.168.0.0' WHERE id = 1");
  db.Exec("UPDATE t SET u = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f', i6 = 'fe80::' WHERE id = 3");
  db.Exec("UPDATE t SET u = '00000000-0000-0000-0000-000000000001' WHERE id = 2");
  db.Exec("DELETE FROM t WHERE id = 101");
  ASSERT_EQ(Run({"run", "job.yaml", "--catch-up"}), 0) << Log("run.log.err");

  const std::string query = "SELECT id, u, i6, i4 FROM t ORDER BY id";
  const std::vector<std::string> want = db.Rows(query);
  const std::vector<std::string> got = target.Rows(query);
  ASSERT_EQ(got.size(), want.size());
  ASSERT_GT(want.size(), 2000u);
  int differ = 0;
  for (size_t i = 0; i < want.size() && differ < 5; ++i) {
    if (got[i] == want[i]) continue;
    ++differ;
    ADD_FAILURE() << "got " << got[i] << ", the server reads " << want[i];
  }
  EXPECT_EQ(target.Rows("SELECT u, i6, i4 FROM t WHERE id = 1"),
            (std::vector<std::string>{
                "6ba7b810-9dad-11d1-80b4-00c04fd430c8|::ffff:10.0.0.1|192.168.0.0"}));
}

}  // namespace
}  // namespace sluice::mysql::binlog_stream
