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
