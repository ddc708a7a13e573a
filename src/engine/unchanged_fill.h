// Unchanged cells (core/column.h) of a change batch, resolved as far as the batch itself can.
//
// A PostgreSQL source does not send a large (TOASTed) value an update did not touch. When the
// same row was inserted or updated earlier in the same batch, that earlier image holds the
// value: it is copied in here, so the target only has to supply values for rows whose previous
// image it already holds (a sink whose writer KeepsUnchangedCells() does that at its merge).
#pragma once

#include <string>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"
#include "core/status.h"

namespace sluice {

// Fills the unchanged cells of `batch` (shaped by `schema`) from the latest earlier image of
// the same row in the batch, following a row to its new key when an update moved it. Cells
// with no earlier image stay unchanged. Fails, naming `label` and the column, when a key
// column is unchanged (the row cannot be found) or when an update moved a row to a new key
// and left a value unchanged that the batch does not hold (the target would have to supply it
// from a row under another key). `key` names the columns that identify a row; without one,
// nothing is filled. `whole_rows_hint` says what makes the source send whole rows
// (StreamSource::WholeRowsHint).
Status FillUnchangedFromBatch(Batch& batch, const Schema& schema,
                              const std::vector<std::string>& key, const std::string& label,
                              const std::string& whole_rows_hint);

}  // namespace sluice
