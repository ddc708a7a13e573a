#include "connectors/csv/csv_parser.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

using R = CsvRecordParser::Result;

// Parses every record of `text` (complete input) into "a|b" strings, unescaped.
std::vector<std::string> ParseAll(std::string_view text, char delim = ',') {
  CsvRecordParser p(delim, '"');
  std::vector<std::string> out;
  while (!text.empty()) {
    R r = p.Parse(text, true);
    EXPECT_NE(r, R::kNeedMore);
    if (r == R::kMalformed) {
      out.push_back(std::string("ERROR: ") + p.error());
    } else {
      std::string rec;
      for (size_t i = 0; i < p.fields().size(); ++i) {
        if (i > 0) rec += "|";
        if (p.fields()[i].quoted) rec += "Q:";
        AppendUnescaped(p.fields()[i], '"', rec);
      }
      out.push_back(rec);
    }
    text.remove_prefix(p.consumed());
  }
  return out;
}

TEST(CsvParserTest, PlainRecords) {
  EXPECT_EQ(ParseAll("a,b,c\n1,2,3\n"), (std::vector<std::string>{"a|b|c", "1|2|3"}));
  EXPECT_EQ(ParseAll("a,b\r\n1,2\r\n"), (std::vector<std::string>{"a|b", "1|2"}));
  EXPECT_EQ(ParseAll("a,b\r1,2"),
            (std::vector<std::string>{"a|b", "1|2"}));  // lone CR, no final LF
  EXPECT_EQ(ParseAll("a,,\n"), (std::vector<std::string>{"a||"}));
  EXPECT_EQ(ParseAll("a\tb\n", '\t'), (std::vector<std::string>{"a|b"}));
}

TEST(CsvParserTest, QuotedFields) {
  EXPECT_EQ(ParseAll("\"a,b\",\"say \"\"hi\"\"\"\n"),
            (std::vector<std::string>{"Q:a,b|Q:say \"hi\""}));
  EXPECT_EQ(ParseAll("\"line1\nline2\",x\n"), (std::vector<std::string>{"Q:line1\nline2|x"}));
  EXPECT_EQ(ParseAll("\"\",\n"), (std::vector<std::string>{"Q:|"}));
  EXPECT_EQ(ParseAll("\"\"\"\"\n"), (std::vector<std::string>{"Q:\""}));
  EXPECT_EQ(ParseAll("a\"b,c\n"), (std::vector<std::string>{"a\"b|c"}));  // quote inside: literal
}

TEST(CsvParserTest, MalformedRecordsResyncAtTheNextLine) {
  EXPECT_EQ(ParseAll("\"ab\"c,d\nx,y\n"),
            (std::vector<std::string>{"ERROR: unexpected character after a closing quote", "x|y"}));
  EXPECT_EQ(ParseAll("x\n\"open,never closed\n"),
            (std::vector<std::string>{"x", "ERROR: unterminated quoted field"}));
}

TEST(CsvParserTest, CountsLinesInsideQuotes) {
  CsvRecordParser p(',', '"');
  ASSERT_EQ(p.Parse("\"a\nb\nc\",d\r\nnext", true), R::kRecord);
  EXPECT_EQ(p.lines(), 3);
  EXPECT_EQ(p.consumed(), 11u);
  EXPECT_EQ(p.record_size(), 9u);
}

TEST(CsvParserTest, AsksForMoreWhenCutOff) {
  CsvRecordParser p(',', '"');
  EXPECT_EQ(p.Parse("a,b", false), R::kNeedMore);
  EXPECT_EQ(p.Parse("\"a,b\nc", false), R::kNeedMore);
  EXPECT_EQ(p.Parse("\"a\"", false), R::kNeedMore);  // the quote may be the first of ""
  EXPECT_EQ(p.Parse("a\r", false), R::kNeedMore);    // CR may be followed by LF
  EXPECT_EQ(p.Parse("a,b", true), R::kRecord);
  EXPECT_EQ(p.fields().size(), 2u);
}

}  // namespace
}  // namespace sluice
