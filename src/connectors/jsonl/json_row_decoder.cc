#include "connectors/jsonl/json_row_decoder.h"

#include <charconv>

#include <nlohmann/json.hpp>

#include "core/value_text.h"
#include "core/value_text_internal.h"

namespace sluice {

namespace {
using json = nlohmann::json;
using Kind = JsonRowDecoder::Slot::Kind;

// nlohmann says "[json.exception.parse_error.101] parse error at line 1, column 7: syntax
// error ..."; the line is always 1 (we parse one line) and "column" would read as a table
// column, so it becomes "invalid JSON at character 7: syntax error ...".
std::string ParseErrorText(const std::string& what) {
  const size_t close = what.find("] ");
  std::string text = close == std::string::npos ? what : what.substr(close + 2);
  constexpr std::string_view kPrefix = "parse error at line 1, column ";
  if (text.starts_with(kPrefix)) text = "invalid JSON at character " + text.substr(kPrefix.size());
  return text;
}
}  // namespace

// SAX events of one line. Depth 1 is the top-level object; values of its keys fill slots,
// containers below it are written out as compact JSON text when their key is a column.
class JsonRowDecoder::Sax {
 public:
  explicit Sax(JsonRowDecoder& d) : d_(d) {}

  bool null() {
    return Scalar(
        Kind::kNull, [] {}, [&] { out().append("null"); });
  }
  bool boolean(bool v) {
    return Scalar(
        Kind::kBool, [&] { slot().b = v; }, [&] { out().append(v ? "true" : "false"); });
  }
  bool number_integer(json::number_integer_t v) {
    return Scalar(
        Kind::kInt, [&] { slot().i = v; }, [&] { FormatInt(v, out()); });
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return Scalar(
        Kind::kUInt, [&] { slot().u = v; }, [&] { FormatUInt(v, out()); });
  }
  bool number_float(json::number_float_t v, const std::string& text) {
    return Scalar(
        Kind::kFloat,
        [&] {
          slot().d = v;
          SetText(text);
        },
        [&] { out().append(text); });
  }
  bool string(std::string& v) {
    return Scalar(
        Kind::kString, [&] { SetText(v); }, [&] { AppendJsonString(v, out()); });
  }
  bool binary(json::binary_t&) { return Fail("binary values are not JSON text"); }

  bool start_object(std::size_t) { return StartContainer('{', "an object"); }
  bool end_object() { return EndContainer('}'); }
  bool start_array(std::size_t) { return StartContainer('[', "an array"); }
  bool end_array() { return EndContainer(']'); }
  bool key(std::string& k) {
    if (depth_ == 1) {
      auto it = d_.index_.find(k);
      column_ = it == d_.index_.end() ? -1 : it->second;
    } else if (capturing_) {
      Separate();
      AppendJsonString(k, out());
      out().push_back(':');
      after_key_ = true;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const json::exception& e) {
    return Fail(ParseErrorText(e.what()));
  }

  bool done() const { return done_; }
  const std::string& error() const { return error_; }

 private:
  JsonRowDecoder::Slot& slot() { return d_.slots_[static_cast<size_t>(column_)]; }
  std::string& out() { return d_.scratch_; }

  bool Fail(std::string why) {
    error_ = std::move(why);
    return false;
  }
  void SetText(const std::string& text) {
    slot().offset = static_cast<uint32_t>(out().size());
    slot().length = static_cast<uint32_t>(text.size());
    out().append(text);
  }
  // A comma before every element of a captured container but the first.
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty() && !first_.back()) out().push_back(',');
    if (!first_.empty()) first_.back() = false;
  }

  template <typename Store, typename Write>
  bool Scalar(Kind kind, Store store, Write write) {
    if (depth_ == 0) return Fail("expected a JSON object, found a single value");
    if (depth_ == 1) {
      if (column_ >= 0) {
        slot() = JsonRowDecoder::Slot{};
        slot().kind = kind;
        store();
      }
    } else if (capturing_) {
      Separate();
      write();
    }
    return true;
  }

  bool StartContainer(char open, const char* what) {
    if (depth_ == 0) {
      if (open != '{') return Fail(std::string("expected a JSON object, found ") + what);
      depth_ = 1;
      return true;
    }
    if (depth_ == 1 && column_ >= 0) {
      capturing_ = true;
      first_.clear();
      after_key_ = false;
      slot() = JsonRowDecoder::Slot{};
      slot().kind = Kind::kNested;
      slot().offset = static_cast<uint32_t>(out().size());
    } else if (capturing_) {
      Separate();
    }
    if (capturing_) {
      out().push_back(open);
      first_.push_back(true);
    }
    ++depth_;
    return true;
  }

  bool EndContainer(char close) {
    --depth_;
    if (depth_ == 0) {
      done_ = true;
      return true;
    }
    if (capturing_) {
      out().push_back(close);
      first_.pop_back();
      if (depth_ == 1) {
        capturing_ = false;
        slot().length = static_cast<uint32_t>(out().size() - slot().offset);
      }
    }
    return true;
  }

  JsonRowDecoder& d_;
  int depth_ = 0;
  int column_ = -1;  // column of the current top-level key; -1 = not read
  bool capturing_ = false;
  bool after_key_ = false;
  std::vector<uint8_t> first_;  // per captured container: no element written yet
  bool done_ = false;
  std::string error_;
};

JsonRowDecoder::JsonRowDecoder(const Schema& schema, BytesEncoding bytes, TimeZone zone)
    : schema_(schema), bytes_(bytes), zone_(std::move(zone)), slots_(schema.size()) {
  for (size_t i = 0; i < schema.size(); ++i) {
    index_.emplace(schema.fields[i].name, static_cast<int>(i));
  }
}

Status JsonRowDecoder::Decode(std::string_view line, Batch& batch, bool& appended) {
  appended = false;
  for (Slot& s : slots_) s.kind = Kind::kMissing;
  scratch_.clear();
  Sax sax(*this);
  bool ok = false;
  try {
    ok = json::sax_parse(line.data(), line.data() + line.size(), &sax);
  } catch (const std::exception& e) {  // nlohmann reports through parse_error; this is a guard
    return Status::DataError("{}", ParseErrorText(e.what()));
  }
  if (!ok || !sax.done()) {
    return Status::DataError("{}", sax.error().empty() ? "not a JSON object" : sax.error());
  }
  appended = true;
  for (size_t j = 0; j < slots_.size(); ++j) {
    Status st = AppendSlot(slots_[j], j, batch.columns[j]);
    if (!st.ok()) {
      for (size_t k = j; k < slots_.size(); ++k) batch.columns[k].AppendNull();
      return Status::DataError("column '{}': {}", schema_.fields[j].name, st.message());
    }
  }
  return Status::OK();
}

Status JsonRowDecoder::AppendSlot(const Slot& slot, size_t column, Column& col) {
  const TypeId id = col.id();
  char buf[24];
  std::string_view text;  // the value as text, for columns that parse it
  switch (slot.kind) {
    case Kind::kMissing:
    case Kind::kNull:
      col.AppendNull();
      return Status::OK();
    case Kind::kBool:
      if (id == TypeId::kBool) {
        col.AppendBool(slot.b);
        return Status::OK();
      }
      text = slot.b ? "true" : "false";
      break;
    case Kind::kInt:
      if (id == TypeId::kInt64) {
        col.AppendInt(slot.i);
        return Status::OK();
      }
      text = std::string_view(buf, std::to_chars(buf, buf + sizeof(buf), slot.i).ptr - buf);
      break;
    case Kind::kUInt:
      if (id == TypeId::kUInt64 || (id == TypeId::kInt64 && slot.u <= INT64_MAX)) {
        col.AppendUInt(slot.u);
        return Status::OK();
      }
      text = std::string_view(buf, std::to_chars(buf, buf + sizeof(buf), slot.u).ptr - buf);
      break;
    case Kind::kFloat:
      if (id == TypeId::kFloat64) {
        col.AppendDouble(slot.d);
        return Status::OK();
      }
      text = SlotText(slot);  // the number as written: exact for decimals
      break;
    case Kind::kString:
      text = SlotText(slot);
      if (id == TypeId::kJson) {  // a JSON string stays a JSON string
        AppendJsonString(text, col.MutableData());
        col.CommitVar();
        return Status::OK();
      }
      if (id == TypeId::kBytes) {
        std::string& data = col.MutableData();
        const size_t mark = data.size();
        Status st = DecodeBytes(text, bytes_, data);
        if (!st.ok()) {
          data.resize(mark);
          return st;
        }
        col.CommitVar();
        return Status::OK();
      }
      break;
    case Kind::kNested:
      text = SlotText(slot);
      if (id != TypeId::kJson && id != TypeId::kString) {
        return Status::DataError("expected {}, found {}", TypeName(schema_.fields[column].type),
                                 text.starts_with('[') ? "an array" : "an object");
      }
      break;
  }
  if (id == TypeId::kString || id == TypeId::kJson) {  // numbers and booleans are JSON as written
    col.AppendBytes(text);
    return Status::OK();
  }
  if (id == TypeId::kBytes) {
    return Status::DataError("expected a {} string, found {}", BytesEncodingName(bytes_),
                             text_internal::Excerpt(text));
  }
  return ParseAndAppend(text, col, zone_);
}

}  // namespace sluice
