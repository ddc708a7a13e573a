#include "config/mask_secrets.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(MaskSecretsTest, MasksUrlPasswords) {
  EXPECT_EQ(MaskSecrets("mysql://u:secret@h/db"), "mysql://u:***@h/db");
  EXPECT_EQ(MaskSecrets("postgres://admin:p%40ss@db.example:5432/app?sslmode=require"),
            "postgres://admin:***@db.example:5432/app?sslmode=require");
  // The last '@' ends the user-info: a raw '@' in a password must not leak its tail.
  EXPECT_EQ(MaskSecrets("mysql://u:p@ss@h"), "mysql://u:***@h");
  EXPECT_EQ(MaskSecrets("copy mysql://a:b@h1/x to pg://c:d@h2/y"),
            "copy mysql://a:***@h1/x to pg://c:***@h2/y");
}

TEST(MaskSecretsTest, LeavesUrlsWithoutPasswordsAlone) {
  EXPECT_EQ(MaskSecrets("sqlite:///data/shop.db"), "sqlite:///data/shop.db");
  EXPECT_EQ(MaskSecrets("mysql://root@localhost/db"), "mysql://root@localhost/db");
  EXPECT_EQ(MaskSecrets("http://example.com/a@b"), "http://example.com/a@b");
  EXPECT_EQ(MaskSecrets("no url here"), "no url here");
  EXPECT_EQ(MaskSecrets(""), "");
}

TEST(MaskSecretsTest, MasksPasswordPairs) {
  EXPECT_EQ(MaskSecrets("host=h user=u password=secret dbname=x"),
            "host=h user=u password=*** dbname=x");
  EXPECT_EQ(MaskSecrets("Server=h;Uid=u;Pwd=secret;"), "Server=h;Uid=u;Pwd=***;");
  EXPECT_EQ(MaskSecrets("mysql://h/db?user=u&password=x&ssl=1"),
            "mysql://h/db?user=u&password=***&ssl=1");
  EXPECT_EQ(MaskSecrets("mypwd=kept"), "mypwd=kept");  // not a whole key
}

// The password of the hostile test of issue 8: every URL delimiter, and a '%' that is not an
// escape. No part of it (of three characters or more) may survive masking.
constexpr std::string_view kDelimiterPassword = "p@s:s/w?o#r%d&=+;[]";

void ExpectNoPart(const std::string& masked, std::string_view secret) {
  for (size_t i = 0; i + 3 <= secret.size(); ++i) {
    EXPECT_EQ(masked.find(secret.substr(i, 3)), std::string::npos)
        << "'" << secret.substr(i, 3) << "' of the password is in: " << masked;
  }
}

TEST(MaskSecretsTest, MasksPasswordsThatHoldUrlDelimiters) {
  const std::string pw(kDelimiterPassword);
  for (const std::string& url : std::vector<std::string>{
           "mysql://u:" + pw + "@127.0.0.1:3306/db", "postgresql://u:" + pw + "@h:5432/db?x=1",
           "mysql://u:" + pw + "@h", std::string("mysql://u:%zz@h/db"),
           "postgresql://u:" + pw + "@h/db"}) {
    const std::string masked = MaskSecrets("bad url " + url + " in job");
    ExpectNoPart(masked, pw);
    EXPECT_NE(masked.find("u:***@"), std::string::npos) << masked;
    EXPECT_EQ(masked.find("%zz"), std::string::npos) << masked;
  }
  EXPECT_EQ(MaskSecrets("mysql://u:p@s:s/w?o#r%d&=+;[]@127.0.0.1:3306/db"),
            "mysql://u:***@127.0.0.1:3306/db");
  // Unparseable: no host after any '@'; the text before the last '@' is still hidden.
  EXPECT_EQ(MaskSecrets("mysql://u:a@b c@"), "mysql://u:***@");
  // A password with a space (not percent-encoded).
  EXPECT_EQ(MaskSecrets("mysql://u:pa ss word@h/db"), "mysql://u:***@h/db");
}

TEST(MaskSecretsTest, MasksConninfoPasswordsThatHoldDelimiters) {
  const std::string pw(kDelimiterPassword);
  const std::string masked = MaskSecrets("host=h port=5432 password=" + pw + " dbname=x");
  EXPECT_EQ(masked, "host=h port=5432 password=*** dbname=x");
  EXPECT_EQ(MaskSecrets("host=h password='a b\\' c' dbname=x"), "host=h password=*** dbname=x");
  EXPECT_EQ(MaskSecrets("password='unterminated secret"), "password=***");
}

TEST(IsSecretKeyTest, RecognisesSecretNames) {
  EXPECT_TRUE(IsSecretKey("password"));
  EXPECT_TRUE(IsSecretKey("source.password"));
  EXPECT_TRUE(IsSecretKey("api_token"));
  EXPECT_TRUE(IsSecretKey("sasl.PASSWORD"));
  EXPECT_FALSE(IsSecretKey("table"));
  EXPECT_FALSE(IsSecretKey("split_key"));
}

}  // namespace
}  // namespace sluice
