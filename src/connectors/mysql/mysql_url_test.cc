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
