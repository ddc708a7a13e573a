#include "connectors/mysql/mysql_loader.h"

#include <mysqld_error.h>

#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace sluice::mysql {
namespace {

constexpr std::string_view kRole = "mysql target";

// Errors that mean "this row", not "this server": a merge (or, rarely, a LOAD) failing with
// one of these is narrowed down to the rows that cause it.
bool IsRowError(unsigned code) {
  switch (code) {
    case ER_BAD_NULL_ERROR:
    case ER_DUP_ENTRY:
    case ER_WARN_DATA_OUT_OF_RANGE:
    case WARN_DATA_TRUNCATED:
    case ER_TRUNCATED_WRONG_VALUE:
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
    case ER_DATA_TOO_LONG:
    case ER_NO_REFERENCED_ROW_2:
    case ER_ROW_IS_REFERENCED_2:
    case ER_NO_DEFAULT_FOR_FIELD:
    case ER_WARN_TOO_FEW_RECORDS:
    case ER_WARN_TOO_MANY_RECORDS:
    case ER_WARN_NULL_TO_NOTNULL:
    case ER_INVALID_CHARACTER_STRING:
    case ER_WRONG_VALUE_FOR_TYPE:
    case ER_DIVISION_BY_ZERO:
    case 3819:  // MySQL: check constraint violated
    case 4025:  // MariaDB: CONSTRAINT failed
      return true;
    default:
      return false;
  }
}

// "Data truncated for column 's' at row 3" -> "Data truncated for column 's'": the row number
// counts within one LOAD and means nothing to the user.
std::string WithoutRowNumber(std::string message) {
  size_t at = message.rfind(" at row ");
  if (at != std::string::npos) message.resize(at);
  return message;
}

}  // namespace

Loader::Loader(Connection& conn, const TargetPlan& plan, WriteMode mode)
    : conn_(conn), plan_(plan), mode_(mode) {}

void Loader::Install() {
  mysql_set_local_infile_handler(conn_.get(), &Loader::InfileInit, &Loader::InfileRead,
                                 &Loader::InfileEnd, &Loader::InfileError, this);
}

int Loader::InfileInit(void** ptr, const char* /*name*/, void* userdata) {
  *ptr = userdata;
  return 0;
}

int Loader::InfileRead(void* ptr, char* buf, unsigned int len) {
  auto* self = static_cast<Loader*>(ptr);
  size_t n = std::min<size_t>(len, self->feed_left_);
  std::memcpy(buf, self->feed_, n);
  self->feed_ += n;
  self->feed_left_ -= n;
  return static_cast<int>(n);
}

void Loader::InfileEnd(void* /*ptr*/) {}

int Loader::InfileError(void* /*ptr*/, char* msg, unsigned int len) {
  std::snprintf(msg, len, "sluice: in-memory LOAD DATA source failed");
  return 2000;
}

Result<std::vector<Loader::Warning>> Loader::FetchWarnings() {
  SLUICE_ASSIGN_OR_RETURN(std::vector<Row> rows, conn_.Query("SHOW WARNINGS"));
  std::vector<Warning> out;
  for (const Row& r : rows) {
    Warning w;
    if (r.size() > 1 && r[1]) std::from_chars(r[1]->data(), r[1]->data() + r[1]->size(), w.code);
    if (r.size() > 2 && r[2]) w.message = WithoutRowNumber(*r[2]);
    out.push_back(std::move(w));
  }
  return out;
}

bool Loader::Acceptable(const std::vector<Warning>& warnings) const {
  for (const Warning& w : warnings) {
    // IGNORE keeps the existing row on a duplicate key: that is the mode, not a refusal.
    if (mode_ == WriteMode::kIgnore && w.code == ER_DUP_ENTRY) continue;
    return false;
  }
  return true;
}

Status Loader::LoadRange(const FormattedRows& rows, size_t begin, size_t end,
                         std::vector<Warning>& warnings) {
  warnings.clear();
  const size_t from = rows.Begin(begin);
  feed_ = rows.data.data() + from;
  feed_left_ = rows.ends[end - 1] - from;
  MYSQL* m = conn_.get();
  auto busy = conn_.Busy();
  if (mysql_real_query(m, plan_.load_sql.data(), plan_.load_sql.size()) != 0) {
    const unsigned code = mysql_errno(m);
    if (!IsRowError(code))
      return conn_.LastError(fmt::format("{}: LOAD DATA into {}", kRole, plan_.Label()));
    warnings.push_back(Warning{code, WithoutRowNumber(mysql_error(m))});
    return Status::OK();
  }
  // "Records: 3  Deleted: 0  Skipped: 0  Warnings: 0": a count that differs from the rows
  // sent would mean a field or line boundary was misread. Fewer rows with warnings are rows
  // the server refused: LOCAL turns a failed CHECK (the staging table's NOT NULL checks) into
  // a warning and leaves the row out, without counting it as skipped.
  if (const char* info = mysql_info(m)) {
    int64_t records = -1;
    if (const char* p = std::strstr(info, "Records: ")) {
      p += 9;
      std::from_chars(p, p + std::strlen(p), records);
    }
    const bool refused =
        records >= 0 && records < static_cast<int64_t>(end - begin) && mysql_warning_count(m) > 0;
    if (records >= 0 && records != static_cast<int64_t>(end - begin) && !refused) {
      return Status::Internal("{}: LOAD DATA into {} read {} rows, sluice sent {}", kRole,
                              plan_.Label(), records, end - begin);
    }
  }
  if (mysql_warning_count(m) == 0) return Status::OK();
  SLUICE_ASSIGN_OR_RETURN(warnings, FetchWarnings());
  return Status::OK();
}

Status Loader::LoadSplitting(const FormattedRows& rows, size_t begin, size_t end,
                             const RejectFn& reject, std::vector<uint32_t>* loaded) {
  if (begin >= end) return Status::OK();
  SLUICE_RETURN_IF_ERROR(conn_.Exec("SAVEPOINT sluice_load"));
  std::vector<Warning> warnings;
  SLUICE_RETURN_IF_ERROR(LoadRange(rows, begin, end, warnings));
  if (Acceptable(warnings)) {
    if (loaded)
      loaded->insert(loaded->end(), rows.batch_rows.begin() + begin, rows.batch_rows.begin() + end);
    rows_loaded_ += static_cast<int64_t>(end - begin);
    return Status::OK();
  }
  SLUICE_RETURN_IF_ERROR(conn_.Exec("ROLLBACK TO SAVEPOINT sluice_load"));
  if (end - begin == 1) {
    std::string reason;
    for (const Warning& w : warnings) {
      if (mode_ == WriteMode::kIgnore && w.code == ER_DUP_ENTRY) continue;
      reason += (reason.empty() ? "" : "; ") + w.message;
    }
    return reject(rows.batch_rows[begin], fmt::format("{} {}: {}", kRole, plan_.Label(), reason));
  }
  const size_t mid = begin + (end - begin) / 2;
  SLUICE_RETURN_IF_ERROR(LoadSplitting(rows, begin, mid, reject, loaded));
  return LoadSplitting(rows, mid, end, reject, loaded);
}

Status Loader::MergeSplitting(const std::vector<int64_t>& seqs, size_t begin, size_t end,
                              const std::vector<uint32_t>& loaded, const RejectFn& reject) {
  if (begin >= end) return Status::OK();
  SLUICE_RETURN_IF_ERROR(conn_.Exec("SAVEPOINT sluice_merge"));
  std::string sql = plan_.MergeSql(std::make_pair(seqs[begin], seqs[end - 1]));
  if (auto busy = conn_.Busy(); mysql_real_query(conn_.get(), sql.data(), sql.size()) == 0) {
    return Status::OK();
  }
  const unsigned code = mysql_errno(conn_.get());
  if (!IsRowError(code))
    return conn_.LastError(fmt::format("{}: merging into {}", kRole, plan_.Label()));
  std::string message = WithoutRowNumber(mysql_error(conn_.get()));
  SLUICE_RETURN_IF_ERROR(conn_.Exec("ROLLBACK TO SAVEPOINT sluice_merge"));
  if (end - begin == 1) {
    return reject(loaded[begin], fmt::format("{} {}: {}", kRole, plan_.Label(), message));
  }
  const size_t mid = begin + (end - begin) / 2;
  SLUICE_RETURN_IF_ERROR(MergeSplitting(seqs, begin, mid, loaded, reject));
  return MergeSplitting(seqs, mid, end, loaded, reject);
}

Status Loader::MergeChanges() {
  const std::string staging = QuoteQualified(plan_.database, std::string(kStagingTable));
  for (const std::string* sql : {&plan_.change_delete_sql, &plan_.change_insert_sql}) {
    SLUICE_RETURN_IF_ERROR(conn_.Exec(*sql).WithContext(
        fmt::format("{}: applying the staged changes to {}", kRole, plan_.Label())));
  }
  return conn_.Exec("DELETE FROM " + staging);
}

Status Loader::DiscardStaged() {
  const std::string staging = QuoteQualified(plan_.database, std::string(kStagingTable));
  return conn_.Exec("DELETE FROM " + staging)
      .WithContext(fmt::format("{}: emptying the staged changes", kRole));
}

Status Loader::Load(const FormattedRows& rows, const RejectFn& reject, bool stage_only) {
  if (rows.size() == 0) return Status::OK();
  if (mode_ != WriteMode::kUpsert || stage_only) {
    return LoadSplitting(rows, 0, rows.size(), reject, nullptr);
  }

  std::vector<uint32_t> loaded;
  SLUICE_RETURN_IF_ERROR(LoadSplitting(rows, 0, rows.size(), reject, &loaded));
  if (loaded.empty()) return Status::OK();
  const std::string staging = QuoteQualified(plan_.database, std::string(kStagingTable));
  SLUICE_RETURN_IF_ERROR(conn_.Exec("SAVEPOINT sluice_merge"));
  const std::string merge = plan_.MergeSql(std::nullopt);
  bool merged = false;
  {
    auto busy = conn_.Busy();
    merged = mysql_real_query(conn_.get(), merge.data(), merge.size()) == 0;
  }
  if (!merged) {
    const unsigned code = mysql_errno(conn_.get());
    if (!IsRowError(code))
      return conn_.LastError(fmt::format("{}: merging into {}", kRole, plan_.Label()));
    SLUICE_RETURN_IF_ERROR(conn_.Exec("ROLLBACK TO SAVEPOINT sluice_merge"));
    // Staging rows are in load order; their seqs map them back to the batch rows.
    SLUICE_ASSIGN_OR_RETURN(
        std::vector<Row> seq_rows,
        conn_.Query(fmt::format("SELECT {} FROM {} ORDER BY 1", QuoteIdent(kStagingSeq), staging)));
    std::vector<int64_t> seqs;
    for (const Row& r : seq_rows) {
      int64_t v = 0;
      if (r[0]) std::from_chars(r[0]->data(), r[0]->data() + r[0]->size(), v);
      seqs.push_back(v);
    }
    if (seqs.size() != loaded.size()) {
      return Status::Internal("{}: staging holds {} rows, {} were loaded", kRole, seqs.size(),
                              loaded.size());
    }
    SLUICE_RETURN_IF_ERROR(MergeSplitting(seqs, 0, seqs.size(), loaded, reject));
  }
  return conn_.Exec("DELETE FROM " + staging);
}

}  // namespace sluice::mysql
