#include "connectors/mysql/binlog/json_diff.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <vector>

#include "connectors/mysql/binlog/byte_reader.h"
#include "connectors/mysql/binlog/json_binary.h"

namespace sluice::mysql::binlog {
namespace {

// A JSON value as a tree; scalars keep their text exactly as printed.
struct Node {
  enum class Kind { kScalar, kObject, kArray } kind = Kind::kScalar;
  std::string text;                                   // scalars: `1.5`, `"a\n"`, `null`
  std::vector<std::pair<std::string, Node>> members;  // objects: unescaped key, value
  std::vector<Node> elements;                         // arrays
};

constexpr int kMaxDepth = 100;

// MySQL's binary JSON stores object keys shorter first, then bytewise; it prints them so.
bool KeyLess(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

class Parser {
 public:
  explicit Parser(std::string_view t) : t_(t) {}

  bool Parse(Node& out) {
    if (!Value(out, 0)) return false;
    Space();
    return pos_ == t_.size();
  }

 private:
  void Space() {
    while (pos_ < t_.size() &&
           (t_[pos_] == ' ' || t_[pos_] == '\n' || t_[pos_] == '\t' || t_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    Space();
    if (pos_ < t_.size() && t_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // A string token: its text with quotes, and unescaped (only what keys need: \" \\ \/ and
  // the one-letter escapes; \u stays as written, which keeps keys distinct).
  bool String(std::string& raw, std::string* unescaped) {
    Space();
    if (pos_ >= t_.size() || t_[pos_] != '"') return false;
    const size_t start = pos_++;
    while (pos_ < t_.size() && t_[pos_] != '"') {
      if (t_[pos_] == '\\') {
        if (++pos_ >= t_.size()) return false;
        if (unescaped) {
          const char c = t_[pos_];
          *unescaped += c == 'n'   ? '\n'
                        : c == 't' ? '\t'
                        : c == 'r' ? '\r'
                        : c == 'b' ? '\b'
                        : c == 'f' ? '\f'
                                   : c;
        }
      } else if (unescaped) {
        *unescaped += t_[pos_];
      }
      ++pos_;
    }
    if (pos_ >= t_.size()) return false;
    ++pos_;
    raw.assign(t_.substr(start, pos_ - start));
    return true;
  }
  bool Value(Node& out, int depth) {
    if (depth > kMaxDepth) return false;
    Space();
    if (pos_ >= t_.size()) return false;
    if (t_[pos_] == '{' || t_[pos_] == '[') {
      const bool object = t_[pos_++] == '{';
      out.kind = object ? Node::Kind::kObject : Node::Kind::kArray;
      if (Eat(object ? '}' : ']')) return true;
      do {
        Node child;
        if (object) {
          std::string raw, key;
          if (!String(raw, &key) || !Eat(':')) return false;
          if (!Value(child, depth + 1)) return false;
          out.members.emplace_back(std::move(key), std::move(child));
        } else {
          if (!Value(child, depth + 1)) return false;
          out.elements.push_back(std::move(child));
        }
      } while (Eat(','));
      return Eat(object ? '}' : ']');
    }
    out.kind = Node::Kind::kScalar;
    if (t_[pos_] == '"') return String(out.text, nullptr);
    const size_t start = pos_;
    while (pos_ < t_.size() && std::string_view(",]} \n\t\r").find(t_[pos_]) == std::string::npos) {
      ++pos_;
    }
    out.text.assign(t_.substr(start, pos_ - start));
    return !out.text.empty();
  }

  std::string_view t_;
  size_t pos_ = 0;
};

void Print(const Node& n, std::string& out) {
  switch (n.kind) {
    case Node::Kind::kScalar:
      out += n.text;
      return;
    case Node::Kind::kArray:
      out += '[';
      for (size_t i = 0; i < n.elements.size(); ++i) {
        if (i) out += ", ";
        Print(n.elements[i], out);
      }
      out += ']';
      return;
    case Node::Kind::kObject: {
      std::vector<const std::pair<std::string, Node>*> sorted;
      for (const auto& m : n.members) sorted.push_back(&m);
      std::stable_sort(sorted.begin(), sorted.end(),
                       [](const auto* a, const auto* b) { return KeyLess(a->first, b->first); });
      out += '{';
      for (size_t i = 0; i < sorted.size(); ++i) {
        if (i) out += ", ";
        // Keys were read from our own printing, so re-quoting the unescaped text needs only
        // the escapes it undid.
        out += '"';
        for (char c : sorted[i]->first) {
          if (c == '"' || c == '\\') out += '\\';
          if (c == '\n')
            out += "\\n";
          else if (c == '\t')
            out += "\\t";
          else if (c == '\r')
            out += "\\r";
          else if (c == '\b')
            out += "\\b";
          else if (c == '\f')
            out += "\\f";
          else
            out += c;
        }
        out += "\": ";
        Print(sorted[i]->second, out);
      }
      out += '}';
      return;
    }
  }
}

// One leg of a path: a member name or an array index.
struct Leg {
  bool is_key = false;
  std::string key;
  size_t index = 0;
  bool last = false;  // [last]
};

bool ParsePath(std::string_view p, std::vector<Leg>& legs) {
  if (p.empty() || p[0] != '$') return false;
  size_t i = 1;
  while (i < p.size()) {
    Leg leg;
    if (p[i] == '.') {
      leg.is_key = true;
      ++i;
      if (i < p.size() && p[i] == '"') {
        ++i;
        while (i < p.size() && p[i] != '"') {
          if (p[i] == '\\' && i + 1 < p.size()) ++i;
          leg.key += p[i++];
        }
        if (i >= p.size()) return false;
        ++i;
      } else {
        while (i < p.size() && p[i] != '.' && p[i] != '[') leg.key += p[i++];
        if (leg.key.empty()) return false;
      }
    } else if (p[i] == '[') {
      const size_t close = p.find(']', i);
      if (close == std::string_view::npos) return false;
      const std::string_view inside = p.substr(i + 1, close - i - 1);
      if (inside == "last") {
        leg.last = true;
      } else {
        auto [end, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), leg.index);
        if (ec != std::errc() || end != inside.data() + inside.size()) return false;
      }
      i = close + 1;
    } else {
      return false;
    }
    legs.push_back(std::move(leg));
  }
  return true;
}

Node* Child(Node& n, const Leg& leg) {
  if (leg.is_key) {
    if (n.kind != Node::Kind::kObject) return nullptr;
    for (auto& m : n.members) {
      if (m.first == leg.key) return &m.second;
    }
    return nullptr;
  }
  if (n.kind != Node::Kind::kArray || n.elements.empty()) return nullptr;
  const size_t i = leg.last ? n.elements.size() - 1 : leg.index;
  return i < n.elements.size() ? &n.elements[i] : nullptr;
}

enum Op : uint8_t { kReplace = 0, kInsert = 1, kRemove = 2 };

bool Apply(Node& root, uint8_t op, const std::vector<Leg>& legs, Node value, std::string& why) {
  if (legs.empty()) {
    if (op != kReplace) return (why = "insert or remove at the document root"), false;
    root = std::move(value);
    return true;
  }
  Node* parent = &root;
  for (size_t i = 0; i + 1 < legs.size(); ++i) {
    parent = Child(*parent, legs[i]);
    if (!parent) return (why = "a diff path leads nowhere in the before image"), false;
  }
  const Leg& leg = legs.back();
  if (op == kReplace) {
    Node* target = Child(*parent, leg);
    if (!target) return (why = "a replaced path is not in the before image"), false;
    *target = std::move(value);
    return true;
  }
  if (leg.is_key) {
    if (parent->kind != Node::Kind::kObject)
      return (why = "a member path into a non-object"), false;
    auto it = std::find_if(parent->members.begin(), parent->members.end(),
                           [&](const auto& m) { return m.first == leg.key; });
    if (op == kRemove) {
      if (it != parent->members.end()) parent->members.erase(it);
    } else if (it == parent->members.end()) {
      parent->members.emplace_back(leg.key, std::move(value));
    } else {
      it->second = std::move(value);
    }
    return true;
  }
  if (parent->kind != Node::Kind::kArray) return (why = "an index path into a non-array"), false;
  auto& e = parent->elements;
  const size_t i = leg.last ? (e.empty() ? 0 : e.size() - 1) : leg.index;
  if (op == kRemove) {
    if (i < e.size()) e.erase(e.begin() + static_cast<std::ptrdiff_t>(i));
  } else {
    e.insert(e.begin() + static_cast<std::ptrdiff_t>(std::min(i, e.size())), std::move(value));
  }
  return true;
}

}  // namespace

bool ApplyJsonDiffs(std::string_view before_text, std::string_view diffs, std::string& out,
                    std::string& why) {
  Node root;
  if (!Parser(before_text).Parse(root)) {
    why = "the before image of a partially updated JSON column is not JSON";
    return false;
  }
  ByteReader r(diffs);
  std::string value_text;
  while (!r.empty()) {
    uint64_t op = 0, path_length = 0, value_length = 0;
    std::string_view path, value;
    if (!r.Le(1, op) || op > kRemove || !r.Packed(path_length) || !r.Bytes(path_length, path)) {
      why = "malformed JSON diff";
      return false;
    }
    Node node;
    if (op != kRemove) {
      if (!r.Packed(value_length) || !r.Bytes(value_length, value)) {
        why = "malformed JSON diff value";
        return false;
      }
      value_text.clear();
      if (!AppendJsonText(value, value_text, why)) return false;
      if (!Parser(value_text).Parse(node)) {
        why = "unreadable JSON diff value";
        return false;
      }
    }
    std::vector<Leg> legs;
    if (!ParsePath(path, legs)) {
      why = "unreadable JSON diff path '" + std::string(path) + "'";
      return false;
    }
    if (!Apply(root, static_cast<uint8_t>(op), legs, std::move(node), why)) return false;
  }
  Print(root, out);
  return true;
}

}  // namespace sluice::mysql::binlog
