#include "connectors/datagen/datagen_connector.h"

#include "connectors/datagen/datagen_source.h"

namespace sluice {

ConnectorInfo MakeDatagenConnectorInfo() {
  ConnectorInfo info;
  info.name = "datagen";
  info.description =
      "generated rows (id, name, amount, created; row N is the same every time): try a "
      "pipeline or measure a target without a source database; batch (split by id range) or "
      "endless at a set rate (mode: realtime)";
  info.capabilities.batch_read = true;
  info.capabilities.parallel_read = true;
  info.capabilities.cdc_read = true;
  info.source_options = {
      OptionSpec{"rows", OptionKind::kInt, false, "0",
                 "how many rows (ids 1..rows); 0 = endless (mode: realtime only)"},
      OptionSpec{"rows_per_second", OptionKind::kInt, false, "0",
                 "make rows at most this fast (mode: realtime); 0 = as fast as they are taken"},
      OptionSpec{"transaction_rows", OptionKind::kInt, false, "1",
                 "mode: realtime: rows come in source transactions of this many; positions "
                 "name transaction ends only, as a change source's do"},
  };
  info.make_source = datagen::DatagenSource::Make;
  info.make_stream_source = datagen::DatagenStream::Make;
  return info;
}

}  // namespace sluice
