#include "expr/parser.h"

#include <strings.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "expr/lexer.h"

namespace sluice::expr {

const char* OpText(Op op) {
  switch (op) {
    case Op::kAdd:
      return "+";
    case Op::kSub:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kMod:
      return "%";
    case Op::kConcat:
      return "||";
    case Op::kEq:
      return "=";
    case Op::kNe:
      return "<>";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kAnd:
      return "AND";
    case Op::kOr:
      return "OR";
    case Op::kNot:
      return "NOT";
    case Op::kNeg:
      return "-";
  }
  return "?";
}

namespace {

// Binding strength of infix operators; higher binds tighter.
constexpr int kPrecOr = 1;
constexpr int kPrecAnd = 2;
constexpr int kPrecNot = 3;
constexpr int kPrecCompare = 4;
constexpr int kPrecConcat = 5;
constexpr int kPrecAdd = 6;
constexpr int kPrecMul = 7;

// Words that cannot be bare column names because they would make the grammar ambiguous.
constexpr const char* kReserved[] = {"and",  "or",      "not",   "is",   "null", "in",
                                     "like", "between", "case",  "when", "then", "else",
                                     "end",  "true",    "false", "cast", "as",   "escape"};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens)
      : text_(text), tokens_(std::move(tokens)) {}

  Result<AstPtr> ParseAll() {
    SLUICE_ASSIGN_OR_RETURN(AstPtr e, ParseExpr(0));
    if (Peek().kind != TokenKind::kEnd) {
      return Err(ErrorAt(text_, Peek().offset, fmt::format("unexpected {}", Describe(Peek()))));
    }
    return e;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool IsKeyword(const Token& t, std::string_view kw) const {
    return t.kind == TokenKind::kIdent && EqualsIgnoreCase(t.text, kw);
  }
  bool AcceptKeyword(std::string_view kw) {
    if (!IsKeyword(Peek(), kw)) return false;
    Next();
    return true;
  }
  Status Expected(std::string_view what) const {
    return ErrorAt(text_, Peek().offset, fmt::format("expected {}", what));
  }
  Status ExpectKind(TokenKind kind, std::string_view what) {
    if (Peek().kind != kind) return Expected(what);
    Next();
    return Status::OK();
  }
  Status ExpectKeyword(std::string_view kw) {
    if (!AcceptKeyword(kw)) return Expected(kw);
    return Status::OK();
  }

  // Counts how deep the parser has recursed, so that it refuses a deep expression before its
  // own stack runs out.
  class DepthGuard {
   public:
    explicit DepthGuard(uint32_t& depth) : depth_(depth) { ++depth_; }
    ~DepthGuard() { --depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    // Each level of nesting passes through ParseExpr and ParseUnary: two per level.
    bool too_deep() const { return depth_ > 2 * kMaxExpressionDepth + 2; }

   private:
    uint32_t& depth_;
  };

  Status TooDeep(size_t offset) const {
    return ErrorAt(text_, offset,
                   fmt::format("expression nested more than {} levels deep (parentheses, NOT, "
                               "unary minus or a chain of operators): split it into steps",
                               kMaxExpressionDepth));
  }

  // Sets a node's height from its children's, which are sealed before their parent.
  Status Seal(Ast& a) const {
    uint32_t children = 0;
    for (const AstPtr& c : a.args) children = std::max(children, c->height);
    a.height = children + 1;
    if (a.height > kMaxExpressionDepth) return TooDeep(a.offset);
    return Status::OK();
  }

  static AstPtr Make(AstKind kind, size_t offset) {
    auto a = std::make_unique<Ast>();
    a->kind = kind;
    a->offset = offset;
    return a;
  }
  static AstPtr MakeBinary(Op op, size_t offset, AstPtr l, AstPtr r) {
    AstPtr a = Make(AstKind::kBinary, offset);
    a->op = op;
    a->args.push_back(std::move(l));
    a->args.push_back(std::move(r));
    return a;
  }

  Result<AstPtr> ParseExpr(int min_prec) {
    DepthGuard guard(depth_);
    if (guard.too_deep()) return Err(TooDeep(Peek().offset));
    AstPtr left;
    if (IsKeyword(Peek(), "not")) {
      size_t offset = Next().offset;
      SLUICE_ASSIGN_OR_RETURN(AstPtr operand, ParseExpr(kPrecNot));
      left = Make(AstKind::kUnary, offset);
      left->op = Op::kNot;
      left->args.push_back(std::move(operand));
    } else {
      SLUICE_ASSIGN_OR_RETURN(left, ParseAdditive());
    }
    while (true) {
      SLUICE_RETURN_IF_ERROR(Seal(*left));
      const Token& t = Peek();
      if (IsKeyword(t, "or") && min_prec <= kPrecOr) {
        size_t offset = Next().offset;
        SLUICE_ASSIGN_OR_RETURN(AstPtr right, ParseExpr(kPrecOr + 1));
        left = MakeBinary(Op::kOr, offset, std::move(left), std::move(right));
      } else if (IsKeyword(t, "and") && min_prec <= kPrecAnd) {
        size_t offset = Next().offset;
        SLUICE_ASSIGN_OR_RETURN(AstPtr right, ParseExpr(kPrecAnd + 1));
        left = MakeBinary(Op::kAnd, offset, std::move(left), std::move(right));
      } else if (min_prec <= kPrecCompare && IsComparisonStart()) {
        SLUICE_ASSIGN_OR_RETURN(left, ParseComparison(std::move(left)));
      } else {
        return left;
      }
    }
  }

  bool IsComparisonStart() const {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kEq:
      case TokenKind::kNe:
      case TokenKind::kLt:
      case TokenKind::kLe:
      case TokenKind::kGt:
      case TokenKind::kGe:
        return true;
      default:
        break;
    }
    if (IsKeyword(t, "is") || IsKeyword(t, "in") || IsKeyword(t, "like") ||
        IsKeyword(t, "between")) {
      return true;
    }
    const Token& n = Peek(1);
    return IsKeyword(t, "not") &&
           (IsKeyword(n, "in") || IsKeyword(n, "like") || IsKeyword(n, "between"));
  }

  Result<AstPtr> ParseComparison(AstPtr left) {
    const Token& t = Peek();
    size_t offset = t.offset;
    Op op = Op::kEq;
    switch (t.kind) {
      case TokenKind::kEq:
        op = Op::kEq;
        break;
      case TokenKind::kNe:
        op = Op::kNe;
        break;
      case TokenKind::kLt:
        op = Op::kLt;
        break;
      case TokenKind::kLe:
        op = Op::kLe;
        break;
      case TokenKind::kGt:
        op = Op::kGt;
        break;
      case TokenKind::kGe:
        op = Op::kGe;
        break;
      default:
        return ParseKeywordPredicate(std::move(left));
    }
    Next();
    SLUICE_ASSIGN_OR_RETURN(AstPtr right, ParseAdditive());
    return MakeBinary(op, offset, std::move(left), std::move(right));
  }

  // IS [NOT] NULL, [NOT] IN (...), [NOT] LIKE x [ESCAPE y], [NOT] BETWEEN a AND b.
  Result<AstPtr> ParseKeywordPredicate(AstPtr left) {
    size_t offset = Peek().offset;
    if (AcceptKeyword("is")) {
      AstPtr a = Make(AstKind::kIsNull, offset);
      a->negated = AcceptKeyword("not");
      SLUICE_RETURN_IF_ERROR(ExpectKeyword("NULL"));
      a->args.push_back(std::move(left));
      return a;
    }
    bool negated = AcceptKeyword("not");
    if (AcceptKeyword("in")) {
      AstPtr a = Make(AstKind::kIn, offset);
      a->negated = negated;
      a->args.push_back(std::move(left));
      SLUICE_RETURN_IF_ERROR(ExpectKind(TokenKind::kLParen, "'('"));
      do {
        SLUICE_ASSIGN_OR_RETURN(AstPtr item, ParseExpr(0));
        a->args.push_back(std::move(item));
      } while (Peek().kind == TokenKind::kComma && (Next(), true));
      SLUICE_RETURN_IF_ERROR(ExpectKind(TokenKind::kRParen, "')'"));
      return a;
    }
    if (AcceptKeyword("like")) {
      AstPtr a = Make(AstKind::kLike, offset);
      a->negated = negated;
      a->args.push_back(std::move(left));
      SLUICE_ASSIGN_OR_RETURN(AstPtr pattern, ParseAdditive());
      a->args.push_back(std::move(pattern));
      if (AcceptKeyword("escape")) {
        SLUICE_ASSIGN_OR_RETURN(AstPtr escape, ParseAdditive());
        a->args.push_back(std::move(escape));
      }
      return a;
    }
    SLUICE_RETURN_IF_ERROR(ExpectKeyword("BETWEEN"));
    AstPtr a = Make(AstKind::kBetween, offset);
    a->negated = negated;
    a->args.push_back(std::move(left));
    SLUICE_ASSIGN_OR_RETURN(AstPtr low, ParseAdditive());
    SLUICE_RETURN_IF_ERROR(ExpectKeyword("AND"));
    SLUICE_ASSIGN_OR_RETURN(AstPtr high, ParseAdditive());
    a->args.push_back(std::move(low));
    a->args.push_back(std::move(high));
    return a;
  }

  // || binds looser than + and -, tighter than comparisons (as in PostgreSQL).
  Result<AstPtr> ParseAdditive() { return ParseBinaryLevel(kPrecConcat); }

  Result<AstPtr> ParseBinaryLevel(int prec) {
    if (prec > kPrecMul) return ParseUnary();
    SLUICE_ASSIGN_OR_RETURN(AstPtr left, ParseBinaryLevel(prec + 1));
    while (true) {
      Op op;
      TokenKind k = Peek().kind;
      if (prec == kPrecConcat && k == TokenKind::kConcat) {
        op = Op::kConcat;
      } else if (prec == kPrecAdd && (k == TokenKind::kPlus || k == TokenKind::kMinus)) {
        op = k == TokenKind::kPlus ? Op::kAdd : Op::kSub;
      } else if (prec == kPrecMul &&
                 (k == TokenKind::kStar || k == TokenKind::kSlash || k == TokenKind::kPercent)) {
        op = k == TokenKind::kStar ? Op::kMul : (k == TokenKind::kSlash ? Op::kDiv : Op::kMod);
      } else {
        return left;
      }
      size_t offset = Next().offset;
      SLUICE_ASSIGN_OR_RETURN(AstPtr right, ParseBinaryLevel(prec + 1));
      left = MakeBinary(op, offset, std::move(left), std::move(right));
      SLUICE_RETURN_IF_ERROR(Seal(*left));
    }
  }

  Result<AstPtr> ParseUnary() {
    DepthGuard guard(depth_);
    if (guard.too_deep()) return Err(TooDeep(Peek().offset));
    if (Peek().kind == TokenKind::kMinus) {
      size_t offset = Next().offset;
      SLUICE_ASSIGN_OR_RETURN(AstPtr operand, ParseUnary());
      AstPtr a = Make(AstKind::kUnary, offset);
      a->op = Op::kNeg;
      a->args.push_back(std::move(operand));
      SLUICE_RETURN_IF_ERROR(Seal(*a));
      return a;
    }
    if (Peek().kind == TokenKind::kPlus) {
      Next();
      return ParseUnary();
    }
    SLUICE_ASSIGN_OR_RETURN(AstPtr primary, ParsePrimary());
    SLUICE_RETURN_IF_ERROR(Seal(*primary));
    return primary;
  }

  Result<AstPtr> ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kInteger:
      case TokenKind::kDecimal:
      case TokenKind::kFloat:
      case TokenKind::kString: {
        AstPtr a = Make(AstKind::kLiteral, t.offset);
        a->literal = t.kind == TokenKind::kInteger   ? LiteralKind::kInteger
                     : t.kind == TokenKind::kDecimal ? LiteralKind::kDecimal
                     : t.kind == TokenKind::kFloat   ? LiteralKind::kFloat
                                                     : LiteralKind::kString;
        a->text = t.text;
        Next();
        return a;
      }
      case TokenKind::kQuotedIdent: {
        AstPtr a = Make(AstKind::kColumn, t.offset);
        a->text = t.text;
        Next();
        return a;
      }
      case TokenKind::kLParen: {
        Next();
        SLUICE_ASSIGN_OR_RETURN(AstPtr inner, ParseExpr(0));
        SLUICE_RETURN_IF_ERROR(ExpectKind(TokenKind::kRParen, "')'"));
        return inner;
      }
      case TokenKind::kIdent:
        return ParseWord();
      default:
        return Err(
            ErrorAt(text_, t.offset, fmt::format("expected an expression, found {}", Describe(t))));
    }
  }

  Result<AstPtr> ParseWord() {
    const Token& t = Peek();
    if (IsKeyword(t, "null") || IsKeyword(t, "true") || IsKeyword(t, "false")) {
      AstPtr a = Make(AstKind::kLiteral, t.offset);
      a->literal = IsKeyword(t, "null") ? LiteralKind::kNull : LiteralKind::kBool;
      a->text = Lower(t.text);
      Next();
      return a;
    }
    if (IsKeyword(t, "case")) return ParseCase();
    if (IsKeyword(t, "cast")) return ParseCast();
    for (const char* kw : kReserved) {
      if (IsKeyword(t, kw)) {
        return Err(
            ErrorAt(text_, t.offset, fmt::format("expected an expression, found {}", Describe(t))));
      }
    }
    size_t offset = t.offset;
    std::string name = t.text;
    Next();
    if (Peek().kind != TokenKind::kLParen) {
      AstPtr a = Make(AstKind::kColumn, offset);
      a->text = std::move(name);
      return a;
    }
    Next();
    AstPtr call = Make(AstKind::kCall, offset);
    call->text = Lower(name);
    if (Peek().kind != TokenKind::kRParen) {
      do {
        SLUICE_ASSIGN_OR_RETURN(AstPtr arg, ParseExpr(0));
        call->args.push_back(std::move(arg));
      } while (Peek().kind == TokenKind::kComma && (Next(), true));
    }
    SLUICE_RETURN_IF_ERROR(ExpectKind(TokenKind::kRParen, "')'"));
    return call;
  }

  Result<AstPtr> ParseCase() {
    AstPtr a = Make(AstKind::kCase, Next().offset);
    if (!IsKeyword(Peek(), "when")) {
      SLUICE_ASSIGN_OR_RETURN(AstPtr operand, ParseExpr(0));
      a->args.push_back(std::move(operand));
      a->has_operand = true;
    }
    if (!IsKeyword(Peek(), "when")) return Err(Expected("WHEN"));
    while (AcceptKeyword("when")) {
      SLUICE_ASSIGN_OR_RETURN(AstPtr cond, ParseExpr(0));
      SLUICE_RETURN_IF_ERROR(ExpectKeyword("THEN"));
      SLUICE_ASSIGN_OR_RETURN(AstPtr value, ParseExpr(0));
      a->args.push_back(std::move(cond));
      a->args.push_back(std::move(value));
    }
    if (AcceptKeyword("else")) {
      SLUICE_ASSIGN_OR_RETURN(AstPtr value, ParseExpr(0));
      a->args.push_back(std::move(value));
      a->has_else = true;
    }
    SLUICE_RETURN_IF_ERROR(ExpectKeyword("END"));
    return a;
  }

  Result<AstPtr> ParseCast() {
    AstPtr a = Make(AstKind::kCast, Next().offset);
    SLUICE_RETURN_IF_ERROR(ExpectKind(TokenKind::kLParen, "'('"));
    SLUICE_ASSIGN_OR_RETURN(AstPtr operand, ParseExpr(0));
    a->args.push_back(std::move(operand));
    SLUICE_RETURN_IF_ERROR(ExpectKeyword("AS"));
    // A type is one or more words ("double precision", "timestamp with time zone") and
    // optional numbers in parentheses ("decimal(10, 2)").
    size_t type_offset = Peek().offset;
    std::string type_text;
    while (Peek().kind == TokenKind::kIdent) {
      if (!type_text.empty()) type_text += ' ';
      type_text += Next().text;
    }
    if (type_text.empty()) return Err(Expected("a type name"));
    if (Peek().kind == TokenKind::kLParen) {
      type_text += Next().text;
      while (Peek().kind == TokenKind::kInteger || Peek().kind == TokenKind::kComma) {
        type_text += Next().text;
      }
      if (Peek().kind != TokenKind::kRParen) return Err(Expected("')'"));
      type_text += Next().text;
    }
    std::optional<DataType> type = ParseTypeName(type_text);
    if (!type || type->id == TypeId::kNull) {
      return Err(ErrorAt(text_, type_offset, fmt::format("unknown type '{}'", type_text)));
    }
    a->cast_type = *type;
    a->cast_type_text = type_text;
    SLUICE_RETURN_IF_ERROR(ExpectKind(TokenKind::kRParen, "')'"));
    return a;
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  uint32_t depth_ = 0;
};

}  // namespace

Result<AstPtr> Parse(std::string_view text) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  Parser parser(text, std::move(tokens));
  return parser.ParseAll();
}

}  // namespace sluice::expr
