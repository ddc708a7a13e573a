#include "connectors/mysql/mysql_url.h"

#include <gtest/gtest.h>

namespace sluice::mysql {
namespace {

TEST(MysqlUrlTest, ParsesUserPasswordHostPortDatabase) {
  Result<MysqlUrl> url = ParseMysqlUrl("mysql://app:s%40cr%3At@db.example:3307/shop");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->user, "app");
  EXPECT_EQ(url->password, "s@cr:t");
  EXPECT_EQ(url->host, "db.example");
  EXPECT_EQ(url->port, 3307);
  EXPECT_EQ(url->database, "shop");
  EXPECT_EQ(url->ssl_mode, SslMode::kDisabled);
  EXPECT_EQ(url->Endpoint(), "db.example:3307");
}

TEST(MysqlUrlTest, DefaultsAndRawAtSignInPassword) {
  Result<MysqlUrl> url = ParseMysqlUrl("mariadb://root:p@ss@localhost");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->password, "p@ss");
  EXPECT_EQ(url->host, "localhost");
  EXPECT_EQ(url->port, 3306);
  EXPECT_EQ(url->database, "");
}

// A password with every URL delimiter: raw, it is still the password (never split into host,
// path or query, whose errors would echo it); percent-encoded, it decodes to the same text.
TEST(MysqlUrlTest, PasswordsWithUrlDelimiters) {
  Result<MysqlUrl> raw =
      ParseMysqlUrl("mysql://u:p@s:s/w?o#r&=+;[]@127.0.0.1:3307/db?ssl-mode=disabled");
  ASSERT_TRUE(raw.has_value()) << raw.error().message();
  EXPECT_EQ(raw->password, "p@s:s/w?o#r&=+;[]");
  EXPECT_EQ(raw->host, "127.0.0.1");
  EXPECT_EQ(raw->port, 3307);
  EXPECT_EQ(raw->database, "db");
  Result<MysqlUrl> encoded =
      ParseMysqlUrl("mysql://u:p%40s%3As%2Fw%3Fo%23r%25d%26%3D%2B%3B%5B%5D@h/db");
  ASSERT_TRUE(encoded.has_value()) << encoded.error().message();
  EXPECT_EQ(encoded->password, "p@s:s/w?o#r%d&=+;[]");
  for (const char* text : {"mysql://u:p@s:s/w?o#r%d&=+;[]@127.0.0.1:3307/db", "mysql://u:%zz@h/db",
                           "mysql://u:secret%zz@h:bad/db"}) {
    Result<MysqlUrl> bad = ParseMysqlUrl(text);
    ASSERT_FALSE(bad.has_value()) << text;
    EXPECT_NE(bad.error().message().find("percent-escape in the password"), std::string::npos)
        << bad.error().message();
    EXPECT_EQ(bad.error().message().find("zz"), std::string::npos) << bad.error().message();
    EXPECT_EQ(bad.error().message().find("r%d"), std::string::npos) << bad.error().message();
  }
}

TEST(MysqlUrlTest, Ipv6AndParameters) {
  Result<MysqlUrl> url = ParseMysqlUrl(
      "mysql://u@[::1]:3310/db?ssl-mode=VERIFY_IDENTITY&ssl_ca=/etc/ca.pem&ssl-cert=/c&"
      "ssl-key=/k&connect-timeout=3");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 3310);
  EXPECT_EQ(url->ssl_mode, SslMode::kVerifyIdentity);
  EXPECT_EQ(url->ssl_ca, "/etc/ca.pem");
  EXPECT_EQ(url->ssl_cert, "/c");
  EXPECT_EQ(url->ssl_key, "/k");
  EXPECT_EQ(url->connect_timeout_s, 3);
  EXPECT_EQ(url->Endpoint(), "[::1]:3310");
}

TEST(MysqlUrlTest, SocketReplacesHostInEndpoint) {
  Result<MysqlUrl> url = ParseMysqlUrl("mysql://u:pw@/db?socket=/run/mysqld/mysqld.sock");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(url->Endpoint(), "/run/mysqld/mysqld.sock");
}

TEST(MysqlUrlTest, MaskedNeverShowsThePassword) {
  Result<MysqlUrl> url = ParseMysqlUrl("mysql://app:hunter2@h:1/d");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->Masked(), "mysql://app:***@h:1/d");
  EXPECT_EQ(url->Masked().find("hunter2"), std::string::npos);
}

TEST(MysqlUrlTest, ErrorsSayWhatIsWrongWithoutEchoingSecrets) {
  Result<MysqlUrl> bad_scheme = ParseMysqlUrl("postgres://u:hunter2@h/d");
  ASSERT_FALSE(bad_scheme.has_value());
  EXPECT_EQ(bad_scheme.error().message().find("hunter2"), std::string::npos);
  EXPECT_NE(bad_scheme.error().message().find("mysql://"), std::string::npos);

  Result<MysqlUrl> bad_port = ParseMysqlUrl("mysql://u@h:99999/d");
  ASSERT_FALSE(bad_port.has_value());
  EXPECT_NE(bad_port.error().message().find("port '99999'"), std::string::npos);

  Result<MysqlUrl> bad_mode = ParseMysqlUrl("mysql://u@h/d?ssl-mode=sometimes");
  ASSERT_FALSE(bad_mode.has_value());
  EXPECT_NE(bad_mode.error().message().find("ssl-mode 'sometimes'"), std::string::npos);

  Result<MysqlUrl> unknown = ParseMysqlUrl("mysql://u@h/d?sslmod=REQUIRED");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message().find("unknown parameter 'sslmod'"), std::string::npos);
}

}  // namespace
}  // namespace sluice::mysql
