// regexp_replace / regexp_like (RE2 syntax) and md5 / sha256 (lowercase hex, OpenSSL EVP).
//
// A constant pattern is compiled once at bind time, and a bad one is a compile error pointing
// at it. A pattern that varies per row is compiled per row (with the last one cached per
// thread), and a bad one is a row error. The replacement uses RE2's \1..\9 for groups.
#include <memory>
#include <string>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <re2/re2.h>

#include "core/value_text.h"
#include "expr/functions.h"
#include "expr/row_function.h"
#include "expr/type_rules.h"

namespace sluice::expr {

namespace {

const DataType kString = DataType::Of(TypeId::kString);

std::unique_ptr<RE2> CompileRegex(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);  // errors are returned as values, not logged to stderr
  return std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
}

// The regex for row `row`: the constant one when the pattern is constant, otherwise a
// per-thread cache of the last pattern seen (patterns that vary usually repeat).
class RegexSource {
 public:
  explicit RegexSource(std::shared_ptr<const RE2> constant) : constant_(std::move(constant)) {}

  const RE2* Get(const Column& pattern, size_t row, RowErrors& errors) const {
    if (constant_) return constant_.get();
    thread_local std::string last_pattern;
    thread_local std::unique_ptr<RE2> last;
    std::string_view p = pattern.GetView(row);
    if (!last || p != last_pattern) {
      last_pattern.assign(p);
      last = CompileRegex(p);
    }
    if (!last->ok()) {
      errors.push_back(
          RowError{row, fmt::format("invalid regular expression '{}': {}", p, last->error())});
      return nullptr;
    }
    return last.get();
  }

 private:
  std::shared_ptr<const RE2> constant_;
};

Result<RegexSource> PrepareRegex(Binder& b, const NodePtr& pattern) {
  if (!pattern->is_constant()) return RegexSource(nullptr);
  const auto& c = static_cast<const ConstantNode&>(*pattern);
  if (c.is_null()) return RegexSource(nullptr);
  std::shared_ptr<const RE2> re = CompileRegex(c.value().GetView(0));
  if (!re->ok()) {
    return Err(
        b.ErrorAt(pattern->offset(), fmt::format("invalid regular expression: {}", re->error())));
  }
  return RegexSource(std::move(re));
}

Result<NodePtr> BindRegexpReplace(Binder& b, std::vector<NodePtr> args, size_t offset) {
  for (NodePtr& a : args) {
    SLUICE_ASSIGN_OR_RETURN(a, b.ExpectText(std::move(a), "regexp_replace()"));
  }
  SLUICE_ASSIGN_OR_RETURN(RegexSource regex, PrepareRegex(b, args[1]));
  return MakeRowFunction(
      kString, offset, std::move(args),
      [regex](const Args& a, size_t i, Column& out, RowErrors& errors) {
        const RE2* re = regex.Get(*a[1], i, errors);
        if (re == nullptr) {
          out.AppendNull();
          return;
        }
        thread_local std::string work;  // GlobalReplace edits a std::string in place
        std::string_view s = a[0]->GetView(i);
        std::string_view repl = a[2]->GetView(i);
        work.assign(s);
        RE2::GlobalReplace(&work, *re, re2::StringPiece(repl.data(), repl.size()));
        out.AppendBytes(work);
      });
}

Result<NodePtr> BindRegexpLike(Binder& b, std::vector<NodePtr> args, size_t offset) {
  for (NodePtr& a : args) {
    SLUICE_ASSIGN_OR_RETURN(a, b.ExpectText(std::move(a), "regexp_like()"));
  }
  SLUICE_ASSIGN_OR_RETURN(RegexSource regex, PrepareRegex(b, args[1]));
  return MakeRowFunction(
      DataType::Of(TypeId::kBool), offset, std::move(args),
      [regex](const Args& a, size_t i, Column& out, RowErrors& errors) {
        const RE2* re = regex.Get(*a[1], i, errors);
        if (re == nullptr) {
          out.AppendNull();
          return;
        }
        std::string_view s = a[0]->GetView(i);
        out.AppendBool(RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re));
      });
}

// One digest context per thread and algorithm, reused row after row: EVP_Digest would
// allocate a context and look the algorithm up (under a lock) for every value.
class DigestContext {
 public:
  explicit DigestContext(const char* algorithm)
      : md_(EVP_MD_fetch(nullptr, algorithm, nullptr)), ctx_(EVP_MD_CTX_new()) {}
  ~DigestContext() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }
  DigestContext(const DigestContext&) = delete;
  DigestContext& operator=(const DigestContext&) = delete;

  bool Digest(std::string_view input, unsigned char* out, unsigned int* len) {
    return md_ != nullptr && ctx_ != nullptr && EVP_DigestInit_ex(ctx_, md_, nullptr) == 1 &&
           EVP_DigestUpdate(ctx_, input.data(), input.size()) == 1 &&
           EVP_DigestFinal_ex(ctx_, out, len) == 1;
  }

 private:
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

// Hex digest of the value's bytes (text) or of its canonical text (other types).
template <bool kSha256>
Result<NodePtr> BindDigest(Binder& b, std::vector<NodePtr> args, size_t offset) {
  (void)b;
  const bool text = IsTextLike(args[0]->type().id);
  return MakeRowFunction(
      kString, offset, std::move(args),
      [text](const Args& a, size_t i, Column& out, RowErrors& errors) {
        thread_local DigestContext digest(kSha256 ? "SHA256" : "MD5");
        thread_local std::string formatted;
        std::string_view input;
        if (text) {
          input = a[0]->GetView(i);
        } else {
          formatted.clear();
          FormatValue(*a[0], i, formatted);
          input = formatted;
        }
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        if (!digest.Digest(input, md, &len)) {
          errors.push_back(RowError{i, kSha256 ? "sha256 failed" : "md5 failed"});
          out.AppendNull();
          return;
        }
        static constexpr char kHex[] = "0123456789abcdef";
        std::string& data = out.MutableData();
        for (unsigned int k = 0; k < len; ++k) {
          data.push_back(kHex[md[k] >> 4]);
          data.push_back(kHex[md[k] & 15]);
        }
        out.CommitVar();
      });
}

}  // namespace

void AddRegexpAndHashFunctions(std::vector<FunctionDef>& table) {
  table.push_back({"regexp_replace", 3, 3, &BindRegexpReplace});
  table.push_back({"regexp_like", 2, 2, &BindRegexpLike});
  table.push_back({"md5", 1, 1, &BindDigest<false>});
  table.push_back({"sha256", 1, 1, &BindDigest<true>});
}

}  // namespace sluice::expr
