// Ast: the parse tree of an expression, before names and types are resolved.
//
// Built by the parser, consumed once by the binder (binder.h) and then dropped. Every node keeps
// the byte offset of the token that best identifies it, for error messages.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/types.h"

namespace sluice::expr {

enum class AstKind {
  kLiteral,  // literal, text
  kColumn,   // name
  kUnary,    // op (kNeg, kNot), args[0]
  kBinary,   // op, args[0], args[1]
  kIsNull,   // args[0]; negated for IS NOT NULL
  kIn,       // args[0] IN (args[1..]); negated for NOT IN
  kLike,     // args[0] LIKE args[1] [ESCAPE args[2]]; negated for NOT LIKE
  kBetween,  // args[0] BETWEEN args[1] AND args[2]; negated for NOT BETWEEN
  kCase,     // [operand] (when then)* [else]: see has_operand / has_else
  kCast,     // CAST(args[0] AS cast_type)
  kCall,     // name(args...)
};

enum class LiteralKind { kNull, kBool, kInteger, kDecimal, kFloat, kString };

enum class Op {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kConcat,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
  kNot,
  kNeg,
};

// How an operator is written, for messages: "+", "<>", "AND".
const char* OpText(Op op);

struct Ast {
  AstKind kind = AstKind::kLiteral;
  size_t offset = 0;
  LiteralKind literal = LiteralKind::kNull;
  std::string text;  // literal text, column name, or function name (lowercased)
  Op op = Op::kAdd;
  bool negated = false;
  bool has_operand = false;    // kCase: simple CASE x WHEN ...
  bool has_else = false;       // kCase
  DataType cast_type;          // kCast
  std::string cast_type_text;  // kCast: the type as written, for messages ("BIGINT")
  std::vector<std::unique_ptr<Ast>> args;
  // Longest path from here to a leaf. The parser refuses trees deeper than kMaxExpressionDepth
  // as it builds them, so the binder, evaluation and destruction, which all recurse, stay
  // shallow.
  uint32_t height = 1;
};

// How deep an expression may nest (parentheses, NOT, unary minus, and chains like a + b + ...).
inline constexpr uint32_t kMaxExpressionDepth = 256;

using AstPtr = std::unique_ptr<Ast>;

}  // namespace sluice::expr
