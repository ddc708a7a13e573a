#include "expr/like.h"

#include <fmt/format.h>

namespace sluice::expr {

namespace {

size_t NextCodePoint(std::string_view s, size_t i) {
  ++i;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

}  // namespace

void LikePattern::Compile(std::string_view pattern, int escape) {
  tokens_.clear();
  literal_.clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(pattern[i]);
    if (static_cast<int>(c) == escape && i + 1 < pattern.size()) {
      tokens_.push_back(static_cast<unsigned char>(pattern[++i]));
    } else if (c == '%') {
      // Runs of % mean the same as one.
      if (tokens_.empty() || tokens_.back() != kMany) tokens_.push_back(kMany);
    } else if (c == '_') {
      tokens_.push_back(kOne);
    } else {
      tokens_.push_back(c);
    }
  }
  // Recognise the shapes that need no backtracking: at most a leading and a trailing %.
  size_t begin = 0;
  size_t end = tokens_.size();
  const bool lead = end > 0 && tokens_[0] == kMany;
  if (lead) ++begin;
  const bool trail = end > begin && tokens_[end - 1] == kMany;
  if (trail) --end;
  for (size_t i = begin; i < end; ++i) {
    if (tokens_[i] < 0) {
      shape_ = Shape::kGeneral;
      return;
    }
    literal_.push_back(static_cast<char>(tokens_[i]));
  }
  shape_ =
      lead ? (trail ? Shape::kContains : Shape::kSuffix) : (trail ? Shape::kPrefix : Shape::kExact);
}

bool LikePattern::Matches(std::string_view text) const {
  switch (shape_) {
    case Shape::kExact:
      return text == literal_;
    case Shape::kPrefix:
      return text.starts_with(literal_);
    case Shape::kSuffix:
      return text.ends_with(literal_);
    case Shape::kContains:
      return text.find(literal_) != std::string_view::npos;
    case Shape::kGeneral:
      return MatchGeneral(text);
  }
  return false;
}

// Greedy matching that backtracks only to the most recent %: linear for typical patterns and
// O(text * pattern) at worst, never exponential.
bool LikePattern::MatchGeneral(std::string_view text) const {
  const size_t m = tokens_.size();
  size_t s = 0;
  size_t p = 0;
  size_t star_p = std::string_view::npos;
  size_t star_s = 0;
  while (s < text.size()) {
    if (p < m && tokens_[p] == kOne) {
      s = NextCodePoint(text, s);
      ++p;
    } else if (p < m && tokens_[p] >= 0 &&
               static_cast<unsigned char>(text[s]) == static_cast<unsigned char>(tokens_[p])) {
      ++s;
      ++p;
    } else if (p < m && tokens_[p] == kMany) {
      star_p = p++;
      star_s = s;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      star_s = NextCodePoint(text, star_s);
      s = star_s;
    } else {
      return false;
    }
  }
  while (p < m && tokens_[p] == kMany) ++p;
  return p == m;
}

namespace {

class LikeNode final : public ComputeNode {
 public:
  LikeNode(bool negated, size_t offset, std::vector<NodePtr> args)
      : ComputeNode(DataType::Of(TypeId::kBool), offset, std::move(args)), negated_(negated) {
    const bool escape_constant = args_.size() < 3 || args_[2]->is_constant();
    if (args_[1]->is_constant() && escape_constant) {
      const auto& p = static_cast<const ConstantNode&>(*args_[1]);
      int escape = '\\';
      if (args_.size() == 3) {
        const auto& e = static_cast<const ConstantNode&>(*args_[2]);
        escape = e.is_null() ? -1 : EscapeOf(e.value().GetView(0));
      }
      if (!p.is_null()) {
        constant_.Compile(p.value().GetView(0), escape);
        has_constant_ = true;
      }
    }
  }

 protected:
  void Compute(const std::vector<const Column*>& args, size_t rows, Column& out,
               RowErrors& errors) const override {
    (void)errors;
    const Column& text = *args[0];
    const Column& pattern = *args[1];
    LikePattern row_pattern;
    for (size_t i = 0; i < rows; ++i) {
      if (AnyNull(args, i)) {
        out.AppendNull();
        continue;
      }
      const LikePattern* p = &constant_;
      if (!has_constant_) {
        int escape = args.size() == 3 ? EscapeOf(args[2]->GetView(i)) : '\\';
        row_pattern.Compile(pattern.GetView(i), escape);
        p = &row_pattern;
      }
      out.AppendBool(p->Matches(text.GetView(i)) != negated_);
    }
  }

 private:
  static int EscapeOf(std::string_view e) {
    return e.empty() ? -1 : static_cast<unsigned char>(e[0]);
  }

  bool negated_;
  bool has_constant_ = false;
  LikePattern constant_;
};

}  // namespace

NodePtr MakeLike(bool negated, size_t offset, NodePtr text, NodePtr pattern, NodePtr escape) {
  std::vector<NodePtr> args{std::move(text), std::move(pattern)};
  if (escape) args.push_back(std::move(escape));
  return std::make_shared<LikeNode>(negated, offset, std::move(args));
}

}  // namespace sluice::expr
