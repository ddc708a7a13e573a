#include "connectors/mysql/binlog_files/table_map_scan.h"

#include <memory>
#include <optional>

#include "connectors/mysql/binlog/binlog_file_reader.h"
#include "connectors/mysql/binlog/control_events.h"
#include "connectors/mysql/binlog/event_type.h"
#include "connectors/mysql/binlog/transaction_payload.h"

namespace sluice::mysql::binlog_files {
namespace {

// One event (and the events of a TRANSACTION_PAYLOAD); false: `visit` asked to stop.
Result<bool> Visit(const binlog::Event& e, const binlog::BinlogFileReader& reader, size_t index,
                   std::string& payload_buffer,
                   const std::function<Result<bool>(const TableMapAt&)>& visit) {
  const binlog::FormatDescription& f = reader.framer().format();
  if (e.type() == binlog::EventType::kQuery || e.type() == binlog::EventType::kQueryCompressed) {
    // Parsed as the stream will parse it: a malformed statement event fails here, before a
    // target is touched, naming its offset.
    std::string inflated;
    Result<binlog::QueryEvent> query = binlog::ParseQuery(e, f, inflated);
    if (!query) return Err(query.error());
    return true;
  }
  if (e.type() == binlog::EventType::kTableMap) {
    SLUICE_ASSIGN_OR_RETURN(binlog::TableMap map, binlog::ParseTableMap(e, f));
    return visit(TableMapAt{map, reader.path(), index, reader.event_offset()});
  }
  if (e.type() != binlog::EventType::kTransactionPayload) return true;
  SLUICE_ASSIGN_OR_RETURN(binlog::TransactionPayload payload, binlog::ParseTransactionPayload(e));
  SLUICE_ASSIGN_OR_RETURN(binlog::PayloadEvents inner,
                          binlog::PayloadEvents::Open(payload, payload_buffer));
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(std::optional<binlog::Event> next, inner.Next());
    if (!next) return true;
    if (next->type() != binlog::EventType::kTableMap) continue;
    SLUICE_ASSIGN_OR_RETURN(binlog::TableMap map, binlog::ParseTableMap(*next, f));
    SLUICE_ASSIGN_OR_RETURN(bool more,
                            visit(TableMapAt{map, reader.path(), index, reader.event_offset()}));
    if (!more) return false;
  }
}

}  // namespace

Status ForEachTableMap(const std::vector<std::string>& files,
                       const std::function<Result<bool>(const TableMapAt&)>& visit) {
  std::string payload_buffer;
  for (size_t index = 0; index < files.size(); ++index) {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<binlog::BinlogFileReader> reader,
                            binlog::BinlogFileReader::Open(files[index]));
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(std::optional<binlog::Event> e, reader->Next());
      if (!e) break;
      Result<bool> more = Visit(*e, *reader, index, payload_buffer, visit);
      if (!more) return reader->Locate(more.error(), binlog::EventTypeName(e->header.type_code));
      if (!*more) return Status::OK();
    }
  }
  return Status::OK();
}

}  // namespace sluice::mysql::binlog_files
