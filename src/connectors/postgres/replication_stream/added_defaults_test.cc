#include "connectors/postgres/replication_stream/added_defaults.h"

#include <gtest/gtest.h>

namespace sluice::postgres::replication_stream {
namespace {

std::string Fill(const AttributeDefault& a, DataType type) {
  Field f{"n", type};
  SetAddedDefault(a, f);
  if (f.added_default) return "=" + *f.added_default;
  if (!f.added_default_unknown.empty()) return "?" + f.added_default_unknown;
  return "";
}

AttributeDefault Missing(std::string value, std::string expr) {
  AttributeDefault a;
  a.has_missing = true;
  a.missing = std::move(value);
  a.default_expr = std::move(expr);
  return a;
}

TEST(PgAddedDefaults, TheKeptMissingValueIsExact) {
  EXPECT_EQ(Fill(Missing("-12.50", "'-12.5'::numeric"), DataType::Decimal(10, 2)), "=-12.50");
  EXPECT_EQ(Fill(Missing("x'y\\z ü€", "'x''y\\z ü€'::text"), DataType::Of(TypeId::kString)),
            "=x'y\\z ü€");
  EXPECT_EQ(Fill(Missing("t", "true"), DataType::Of(TypeId::kBool)), "=1");
  EXPECT_EQ(Fill(Missing("f", "false"), DataType::Of(TypeId::kBool)), "=0");
  EXPECT_EQ(Fill(Missing("2020-01-02", "'2020-01-02'::date"), DataType::Of(TypeId::kDate)),
            "=2020-01-02");
  EXPECT_EQ(Fill(Missing("", "''::text"), DataType::Of(TypeId::kString)), "=");
}

TEST(PgAddedDefaults, WhatTheStreamCannotKnow) {
  // A timestamptz's text depends on the session's zone.
  EXPECT_EQ(Fill(Missing("2026-12-06 06:21:03+00", "now()"), DataType::Of(TypeId::kTimestampTz)),
            "?DEFAULT now()");
  EXPECT_EQ(Fill(Missing("\\x0102", "'\\x0102'::bytea"), DataType::Of(TypeId::kBytes)),
            "?DEFAULT '\\x0102'::bytea");
  AttributeDefault rewritten;  // a volatile default: the table was rewritten, nothing kept
  rewritten.default_expr = "random()";
  EXPECT_EQ(Fill(rewritten, DataType::Of(TypeId::kFloat64)), "?DEFAULT random()");
  AttributeDefault identity;
  identity.identity = true;
  EXPECT_EQ(Fill(identity, DataType::Of(TypeId::kInt64)), "?GENERATED AS IDENTITY");
  EXPECT_EQ(Fill(AttributeDefault{}, DataType::Of(TypeId::kInt64)), "");  // NULL
}

}  // namespace
}  // namespace sluice::postgres::replication_stream
