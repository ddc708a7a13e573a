// Text functions: concat, substr, upper, lower, trim, replace, length, octet_length.
// Lengths and positions count Unicode code points; upper/lower change ASCII letters only and
// leave every other byte (so all multi-byte UTF-8) as it is.
#include <fmt/format.h>

#include "core/value_text.h"
#include "expr/functions.h"
#include "expr/row_function.h"
#include "expr/utf8.h"

namespace sluice::expr {

namespace {

const DataType kString = DataType::Of(TypeId::kString);
const DataType kInt64 = DataType::Of(TypeId::kInt64);

// Only one check per argument at bind time; the row loops then trust the types.
Result<std::vector<NodePtr>> TextThenIntegers(Binder& b, std::vector<NodePtr> args,
                                              std::string_view what) {
  SLUICE_ASSIGN_OR_RETURN(args[0], b.ExpectText(std::move(args[0]), what));
  for (size_t i = 1; i < args.size(); ++i) {
    SLUICE_ASSIGN_OR_RETURN(args[i], b.ExpectInteger(std::move(args[i]), what));
  }
  return args;
}

Result<std::vector<NodePtr>> AllText(Binder& b, std::vector<NodePtr> args, std::string_view what) {
  for (NodePtr& a : args) {
    SLUICE_ASSIGN_OR_RETURN(a, b.ExpectText(std::move(a), what));
  }
  return args;
}

// An integer argument read as int64, saturating uint64 values above INT64_MAX (which are
// beyond any string length anyway).
int64_t IntArg(const Column& c, size_t row) {
  if (IsUnsignedInteger(c.id()) && c.GetUInt(row) > static_cast<uint64_t>(INT64_MAX)) {
    return INT64_MAX;
  }
  return c.GetInt(row);
}

// MySQL's SUBSTRING: start 1 is the first character, negative counts from the end, 0 (or
// before the start) gives ''. A negative length gives ''.
std::string_view Substr(std::string_view s, int64_t start, int64_t len) {
  if (start == 0 || len <= 0) return {};
  const bool ascii = IsAscii(s);
  const int64_t chars = static_cast<int64_t>(ascii ? s.size() : Utf8Length(s));
  int64_t first = start > 0 ? start - 1 : chars + start;  // 0-based character index
  if (first < 0 || first >= chars) return {};
  int64_t count = std::min(len, chars - first);
  if (ascii) return s.substr(static_cast<size_t>(first), static_cast<size_t>(count));
  size_t b = Utf8Advance(s, 0, static_cast<size_t>(first));
  size_t e = Utf8Advance(s, b, static_cast<size_t>(count));
  return s.substr(b, e - b);
}

bool IsTrimmed(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

Result<NodePtr> BindSubstr(Binder& b, std::vector<NodePtr> args, size_t offset) {
  SLUICE_ASSIGN_OR_RETURN(args, TextThenIntegers(b, std::move(args), "substr()"));
  return MakeRowFunction(kString, offset, std::move(args),
                         [](const Args& a, size_t i, Column& out, RowErrors&) {
                           int64_t len = a.size() > 2 ? IntArg(*a[2], i) : INT64_MAX;
                           out.AppendBytes(Substr(a[0]->GetView(i), IntArg(*a[1], i), len));
                         });
}

template <bool kUpper>
Result<NodePtr> BindCase(Binder& b, std::vector<NodePtr> args, size_t offset) {
  SLUICE_ASSIGN_OR_RETURN(args, AllText(b, std::move(args), kUpper ? "upper()" : "lower()"));
  return MakeRowFunction(kString, offset, std::move(args),
                         [](const Args& a, size_t i, Column& out, RowErrors&) {
                           std::string_view s = a[0]->GetView(i);
                           std::string& data = out.MutableData();
                           size_t start = data.size();
                           data.append(s);
                           for (size_t k = start; k < data.size(); ++k) {
                             char c = data[k];
                             if (kUpper && c >= 'a' && c <= 'z')
                               data[k] = static_cast<char>(c - 32);
                             if (!kUpper && c >= 'A' && c <= 'Z')
                               data[k] = static_cast<char>(c + 32);
                           }
                           out.CommitVar();
                         });
}

template <bool kLeft, bool kRight>
Result<NodePtr> BindTrim(Binder& b, std::vector<NodePtr> args, size_t offset) {
  SLUICE_ASSIGN_OR_RETURN(args, AllText(b, std::move(args), "trim()"));
  return MakeRowFunction(kString, offset, std::move(args),
                         [](const Args& a, size_t i, Column& out, RowErrors&) {
                           std::string_view s = a[0]->GetView(i);
                           while (kLeft && !s.empty() && IsTrimmed(s.front())) s.remove_prefix(1);
                           while (kRight && !s.empty() && IsTrimmed(s.back())) s.remove_suffix(1);
                           out.AppendBytes(s);
                         });
}

Result<NodePtr> BindReplace(Binder& b, std::vector<NodePtr> args, size_t offset) {
  SLUICE_ASSIGN_OR_RETURN(args, AllText(b, std::move(args), "replace()"));
  return MakeRowFunction(kString, offset, std::move(args),
                         [](const Args& a, size_t i, Column& out, RowErrors&) {
                           std::string_view s = a[0]->GetView(i);
                           std::string_view from = a[1]->GetView(i);
                           std::string_view to = a[2]->GetView(i);
                           std::string& data = out.MutableData();
                           if (from.empty()) {
                             data.append(s);
                           } else {
                             size_t pos = 0;
                             for (size_t hit; (hit = s.find(from, pos)) != s.npos;) {
                               data.append(s.substr(pos, hit - pos));
                               data.append(to);
                               pos = hit + from.size();
                             }
                             data.append(s.substr(pos));
                           }
                           out.CommitVar();
                         });
}

template <bool kChars>
Result<NodePtr> BindLength(Binder& b, std::vector<NodePtr> args, size_t offset) {
  SLUICE_ASSIGN_OR_RETURN(args,
                          AllText(b, std::move(args), kChars ? "length()" : "octet_length()"));
  return MakeRowFunction(kInt64, offset, std::move(args),
                         [](const Args& a, size_t i, Column& out, RowErrors&) {
                           std::string_view s = a[0]->GetView(i);
                           out.AppendInt(static_cast<int64_t>(kChars ? Utf8Length(s) : s.size()));
                         });
}

}  // namespace

// MySQL semantics: any NULL argument makes the result NULL (use coalesce() to skip NULLs).
// Non-text arguments are converted to their canonical text (42, 1.50, 2024-01-31, true).
Result<NodePtr> BindConcat(Binder& binder, std::vector<NodePtr> args, size_t offset) {
  (void)binder;
  for (const NodePtr& a : args) {
    if (a->type().id == TypeId::kNull) return MakeNullConstant(kString, offset);
  }
  return MakeRowFunction(kString, offset, std::move(args),
                         [](const Args& a, size_t i, Column& out, RowErrors&) {
                           std::string& data = out.MutableData();
                           for (const Column* c : a) FormatValue(*c, i, data);
                           out.CommitVar();
                         });
}

void AddStringFunctions(std::vector<FunctionDef>& table) {
  table.push_back({"concat", 1, -1, &BindConcat});
  table.push_back({"substr", 2, 3, &BindSubstr});
  table.push_back({"substring", 2, 3, &BindSubstr});
  table.push_back({"upper", 1, 1, &BindCase<true>});
  table.push_back({"lower", 1, 1, &BindCase<false>});
  table.push_back({"trim", 1, 1, &BindTrim<true, true>});
  table.push_back({"ltrim", 1, 1, &BindTrim<true, false>});
  table.push_back({"rtrim", 1, 1, &BindTrim<false, true>});
  table.push_back({"replace", 3, 3, &BindReplace});
  table.push_back({"length", 1, 1, &BindLength<true>});
  table.push_back({"char_length", 1, 1, &BindLength<true>});
  table.push_back({"octet_length", 1, 1, &BindLength<false>});
}

}  // namespace sluice::expr
