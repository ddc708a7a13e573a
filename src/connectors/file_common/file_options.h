// Option handling shared by the file connectors: specs declared once, parsed once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/options.h"
#include "core/reject_sink.h"
#include "core/schema.h"
#include "core/source.h"
#include "core/status.h"

namespace sluice {

// Specs of keys every file connector has.
OptionSpec SourcePathSpec(std::string_view example);
OptionSpec TargetPathSpec(std::string_view example);
OptionSpec BytesEncodingSpec();
OptionSpec SchemaSpec(std::string_view without_it);

// A table's name filled into a file target's path template (multi-table jobs): as is, but
// only when it is one file name (not empty, ".", "..", nor holding a '/'), so that a table
// name never writes outside the path the template gives.
Result<std::string> FileNameValue(std::string_view name);

// A one-character option such as a delimiter: the character itself, or "\t" / "tab".
Result<char> SingleCharOption(const Options& options, const std::string& key, char fallback);

// The `schema` option (column -> type name, in file order) as a Schema; empty when absent.
Result<Schema> SchemaOption(const Options& options, const std::string& key);

// File sources read whole files: refuse what they cannot honour instead of ignoring it.
Status CheckFileReadRequest(const char* connector, const ReadRequest& request);

// Resolves ReadRequest::columns against `available` (all of them when `requested` is empty):
// the index in `available` of each output column. A missing name is a NotFound error that
// names `what` (the file) and lists the columns there are.
Result<std::vector<size_t>> SelectColumns(const Schema& available,
                                          const std::vector<std::string>& requested,
                                          const std::string& what);

// Reports input records that could not be decoded. The engine's RejectSink wants a row of a
// batch; an undecodable record has none, so it is handed over as its raw text in a one-column
// batch ("record"), and the reason names file:line. One per reader thread.
class RawRecordRejecter {
 public:
  RawRecordRejecter();
  Status Reject(RejectSink& rejects, std::string_view raw, std::string_view reason);

 private:
  Schema schema_;
  Batch batch_;
};

}  // namespace sluice
