// MysqlSplitReader: streams the rows of one split into batches.
//
// Lifecycle: created by MysqlSource::OpenSplit (on any thread) and then used by one worker
// thread only. It owns its connection (its own, or one the source opened inside a shared
// snapshot). The query runs with mysql_use_result: rows arrive as the reader asks for them and
// are never held whole; a slow pipeline only makes the server wait (net_write_timeout is an
// hour). Each value is decoded from the text protocol into its column; a row with a value
// that cannot be decoded (a zero date with zero_date: error) goes to the RejectSink whole.
#pragma once

#include <mysql.h>

#include <memory>
#include <string>
#include <vector>

#include "connectors/mysql/mysql_config.h"
#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_decoder.h"
#include "connectors/mysql/mysql_splits.h"
#include "core/source.h"

namespace sluice::mysql {

// Everything a split reader needs, fixed by MysqlSource::Open and copied into each reader.
struct ReadPlan {
  MysqlUrl url;
  std::string table_label;              // db.table, for messages
  std::string select_sql;               // "SELECT exprs FROM `db`.`t`", without WHERE
  std::vector<std::string> conditions;  // where + watermark range
  std::string key_sql;                  // split key; empty when the read is not split
  Schema schema;
  std::vector<ReadKind> kinds;  // per selected column
  ZeroDate zero_date = ZeroDate::kError;
  TimeZone zone = TimeZone::Utc();  // the source's time_zone, for DATETIME as instants
  BatchLimits limits;
};

class MysqlSplitReader : public SplitReader {
 public:
  // `conn` is a connection already inside a snapshot transaction, or empty to open one.
  static Result<std::unique_ptr<MysqlSplitReader>> Open(const ReadPlan& plan, const KeyRange& range,
                                                        int split_index, Connection conn);
  ~MysqlSplitReader() override;

  Result<bool> Next(Batch& batch, RejectSink& rejects) override;
  // A snapshot read over several tables (a realtime job's source.tables): the snapshot
  // transaction stays open when this table's rows end, and TakeConnection() hands the
  // connection back for the next table.
  void KeepTransaction() { keep_transaction_ = true; }
  Connection TakeConnection() { return std::move(conn_); }

 private:
  MysqlSplitReader() = default;
  Result<bool> NextRows(Batch& batch, RejectSink& rejects);
  Status RejectRow(RejectSink& rejects, MYSQL_ROW row, const unsigned long* lengths, size_t column,
                   const std::string& why);
  // Tells `rejects` of the values zero_date: null replaced since the last call.
  void ReportSubstituted(RejectSink& rejects);
  void Finish();

  std::string table_;
  BatchLimits limits_;
  int split_index_ = 0;
  Connection conn_;
  MYSQL_RES* result_ = nullptr;
  std::vector<ValueDecoder> decoders_;
  std::vector<Cell> cells_;
  std::string why_;
  Schema reject_schema_;  // the selected columns, as text
  Batch reject_batch_;
  bool done_ = false;
  bool own_connection_ = false;  // not a snapshot connection of the source
  bool keep_transaction_ = false;
};

}  // namespace sluice::mysql
