#include "engine/unchanged_fill.h"

#include <cstring>
#include <optional>
#include <unordered_map>

namespace sluice {
namespace {

// The bytes that identify a row's key: per key column its state and value, length-prefixed.
void AppendKeyText(const Batch& batch, const std::vector<size_t>& key, size_t row,
                   std::string& out) {
  out.clear();
  for (size_t c : key) {
    const Column& col = batch.columns[c];
    if (col.IsNull(row)) {
      out.push_back('\0');
      continue;
    }
    out.push_back('\1');
    if (col.is_var()) {
      const std::string_view v = col.GetView(row);
      const uint32_t n = static_cast<uint32_t>(v.size());
      out.append(reinterpret_cast<const char*>(&n), sizeof n);
      out.append(v);
    } else {
      const int64_t v = col.GetInt(row);
      out.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
  }
}

bool RowHasUnchanged(const Batch& batch, size_t row) {
  for (const Column& c : batch.columns) {
    if (c.has_unchanged() && c.IsUnchanged(row)) return true;
  }
  return false;
}

// The first column holding an unchanged cell at `row`.
size_t FirstUnchanged(const Batch& batch, size_t row) {
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    if (batch.columns[c].has_unchanged() && batch.columns[c].IsUnchanged(row)) return c;
  }
  return 0;
}

}  // namespace

Status FillUnchangedFromBatch(Batch& batch, const Schema& schema,
                              const std::vector<std::string>& key, const std::string& label,
                              const std::string& whole_rows_hint) {
  if (!batch.HasUnchanged()) return Status::OK();
  const size_t rows = batch.num_rows();
  std::vector<size_t> key_columns;
  for (const std::string& name : key) {
    const std::optional<size_t> index = schema.IndexOf(name);
    if (!index) return Status::Internal("{}: key column '{}' is not written", label, name);
    key_columns.push_back(*index);
  }
  // A target without a key (change events in a file) writes the cells as they are, or
  // refuses them (SinkWriter::KeepsUnchangedCells).
  if (key_columns.empty()) return Status::OK();
  for (size_t c : key_columns) {
    const Column& col = batch.columns[c];
    if (!col.has_unchanged()) continue;
    for (size_t row = 0; row < rows; ++row) {
      if (col.IsUnchanged(row)) {
        return Status::Invalid(
            "{}: a change did not send the value of key column '{}' (unchanged): the row "
            "cannot be identified; {}re-snapshot the table (startup: initial), since the "
            "changes already logged do not carry it",
            label, schema.fields[c].name,
            whole_rows_hint.empty() ? std::string() : whole_rows_hint + ", and ");
      }
    }
  }

  // fill_from[row]: the row whose image precedes `row`'s in the batch, or -1.
  std::vector<int64_t> fill_from(rows, -1);
  std::unordered_map<std::string, size_t> last_image;
  std::string text;
  std::string before_key;
  bool have_before = false;
  bool any_source = false;
  for (size_t row = 0; row < rows; ++row) {
    AppendKeyText(batch, key_columns, row, text);
    switch (batch.kind(row)) {
      case RowKind::kInsert:
        last_image[text] = row;
        have_before = false;
        break;
      case RowKind::kDelete:
        last_image.erase(text);
        have_before = false;
        break;
      case RowKind::kUpdateBefore:
        before_key = text;
        have_before = true;
        break;
      case RowKind::kUpdateAfter: {
        const bool moved = have_before && before_key != text;
        const std::string& from = moved ? before_key : text;
        if (RowHasUnchanged(batch, row)) {
          auto it = last_image.find(from);
          if (it != last_image.end()) {
            fill_from[row] = static_cast<int64_t>(it->second);
            any_source = true;
          } else if (moved) {
            return Status::Invalid(
                "{}: an update moved a row to a new key and did not send the value of column "
                "'{}' (unchanged): it cannot be carried to the new key; {} so that such "
                "updates carry it",
                label, schema.fields[FirstUnchanged(batch, row)].name, whole_rows_hint);
          }
        }
        if (moved) last_image.erase(before_key);
        last_image[text] = row;
        have_before = false;
        break;
      }
    }
  }
  if (!any_source) return Status::OK();

  for (Column& old : batch.columns) {
    if (!old.has_unchanged()) continue;
    Column filled(old.type());
    filled.Reserve(rows, old.is_var() ? old.data().size() : 0);
    for (size_t row = 0; row < rows; ++row) {
      size_t source = row;
      // An earlier image may itself have left the value unchanged: follow the chain back.
      while (old.IsUnchanged(source) && fill_from[source] >= 0) {
        source = static_cast<size_t>(fill_from[source]);
      }
      filled.AppendFrom(old, source);
    }
    old = std::move(filled);
  }
  return Status::OK();
}

}  // namespace sluice
