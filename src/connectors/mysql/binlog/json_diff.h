// MySQL's partial JSON updates (binlog_row_value_options=PARTIAL_JSON): in a
// PARTIAL_UPDATE_ROWS after image, a JSON column may hold a list of diffs against the before
// image instead of the whole document. Each diff is an operation byte (0 replace, 1 insert,
// 2 remove), a JSON path ($.a, $[2], $."b c"), and for replace and insert a binary JSON value.
//
// ApplyJsonDiffs rebuilds the after document from the before document's text (as
// json_binary.h wrote it) and the diffs, and prints it the way MySQL does (object members in
// MySQL's key order: shorter keys first, then bytewise). Not on the hot path: only partial
// updates come here, and this builds a small tree per document.
#pragma once

#include <string>
#include <string_view>

namespace sluice::mysql::binlog {

// Appends the after document to `out`. Returns false with `why` set on malformed diffs, a
// path that does not exist in the document, or a before text that is not JSON.
bool ApplyJsonDiffs(std::string_view before_text, std::string_view diffs, std::string& out,
                    std::string& why);

}  // namespace sluice::mysql::binlog
