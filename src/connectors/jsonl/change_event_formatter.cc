#include "connectors/jsonl/change_event_formatter.h"

#include "connectors/file_common/text_codec.h"

namespace sluice {
namespace {

// AppendSource's row for the event of a TRUNCATE, which has none.
constexpr size_t kTruncateRow = static_cast<size_t>(-1);

}  // namespace

ChangeEventFormatter::ChangeEventFormatter(const JsonlWriteFormat& format, const Schema& schema,
                                           ChangeEventSource source)
    : rows_(format, schema) {
  connector_json_ = "null";
  if (!source.connector.empty()) {
    connector_json_.clear();
    AppendJsonString(source.connector, connector_json_);
  }
  for (const std::string& name : source.key) {
    if (auto index = schema.IndexOf(name)) key_columns_.push_back(*index);
  }
  // A key column the rows lack would make every update look like no move: better none at all.
  if (key_columns_.size() != source.key.size()) key_columns_.clear();
}

void ChangeEventFormatter::NoteSourceTable(const Batch& batch) {
  if (batch.source_table != source_table_) {
    // "db.table"; without a dot the whole text is the table.
    source_table_ = batch.source_table;
    db_json_ = table_json_ = "null";
    if (!source_table_.empty()) {
      const size_t dot = source_table_.find('.');
      std::string_view table = source_table_;
      if (dot != std::string::npos) {
        db_json_.clear();
        AppendJsonString(std::string_view(source_table_).substr(0, dot), db_json_);
        table = table.substr(dot + 1);
      }
      table_json_.clear();
      AppendJsonString(table, table_json_);
    }
  }
}

void ChangeEventFormatter::AppendTruncate(const Batch& batch, int64_t now_ms, std::string& out) {
  NoteSourceTable(batch);
  now_json_ = std::to_string(now_ms);
  AppendEvent('t', batch, std::nullopt, std::nullopt, kTruncateRow, /*snapshot=*/false, out);
}

void ChangeEventFormatter::AppendEvents(const Batch& batch, int64_t now_ms, bool force_snapshot,
                                        std::string& out) {
  NoteSourceTable(batch);
  const bool snapshot = force_snapshot || batch.snapshot;
  now_json_ = std::to_string(now_ms);
  const size_t rows = batch.num_rows();
  for (size_t r = 0; r < rows; ++r) {
    switch (batch.kind(r)) {
      case RowKind::kInsert:
        AppendEvent(snapshot ? 'r' : 'c', batch, std::nullopt, r, r, snapshot, out);
        break;
      case RowKind::kDelete:
        AppendEvent('d', batch, r, std::nullopt, r, snapshot, out);
        break;
      case RowKind::kUpdateAfter:  // no before image
        AppendEvent('u', batch, std::nullopt, r, r, snapshot, out);
        break;
      case RowKind::kUpdateBefore: {
        const bool paired = r + 1 < rows && batch.kind(r + 1) == RowKind::kUpdateAfter;
        if (!paired) {  // a filter took its after image out: the row left the filtered set
          AppendEvent('d', batch, r, std::nullopt, r, snapshot, out);
        } else if (KeyMoved(batch, r, r + 1)) {
          AppendEvent('d', batch, r, std::nullopt, r, snapshot, out);
          AppendEvent('c', batch, std::nullopt, r + 1, r + 1, snapshot, out);
          ++r;
        } else {
          AppendEvent('u', batch, r, r + 1, r + 1, snapshot, out);
          ++r;
        }
        break;
      }
    }
  }
}

void ChangeEventFormatter::AppendEvent(char op, const Batch& batch, std::optional<size_t> before,
                                       std::optional<size_t> after, size_t source_row,
                                       bool snapshot, std::string& out) {
  out.append("{\"op\":\"");
  out.push_back(op);
  out.append("\",\"before\":");
  if (before) {
    rows_.AppendRow(batch, *before, out);
  } else {
    out.append("null");
  }
  out.append(",\"after\":");
  if (after) {
    rows_.AppendRow(batch, *after, out);
  } else {
    out.append("null");
  }
  out.append(",\"source\":");
  AppendSource(batch, source_row, snapshot, out);
  out.append(",\"ts_ms\":");
  out.append(now_json_);
  out.append("}\n");
}

void ChangeEventFormatter::AppendSource(const Batch& batch, size_t row, bool snapshot,
                                        std::string& out) const {
  out.append("{\"connector\":");
  out.append(connector_json_);
  out.append(",\"db\":");
  out.append(db_json_);
  out.append(",\"table\":");
  out.append(table_json_);
  out.append(",\"position\":");
  if (batch.position.empty()) {
    out.append("null");
  } else {
    AppendJsonString(batch.position, out);
  }
  out.append(",\"ts_ms\":");
  if (row == kTruncateRow) {
    out.append(batch.truncate_commit_millis >= 0 ? std::to_string(batch.truncate_commit_millis)
                                                 : std::string("null"));
  } else if (row < batch.commit_millis.size()) {
    out.append(std::to_string(batch.commit_millis[row]));
  } else {
    out.append("null");
  }
  out.append(snapshot ? ",\"snapshot\":true}" : ",\"snapshot\":false}");
}

bool ChangeEventFormatter::KeyMoved(const Batch& batch, size_t before, size_t after) const {
  std::string a;
  std::string b;
  for (size_t c : key_columns_) {
    a.clear();
    b.clear();
    rows_.AppendValue(batch.columns[c], before, a);
    rows_.AppendValue(batch.columns[c], after, b);
    if (a != b) return true;
  }
  return false;
}

}  // namespace sluice
