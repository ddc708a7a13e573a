// The rows the datagen connector makes: row `id` is the same every time it is made, so a target
// can be checked against the generator (tests, benchmarks, a pipeline tried without a source
// database). Columns: id int64 NOT NULL (the key), name string, amount decimal(12,2), created
// timestamp.
#pragma once

#include <cstdint>

#include "core/batch.h"
#include "core/schema.h"

namespace sluice::datagen {

Schema RowSchema();

// Appends rows first..last (inclusive) to `batch`, shaped by RowSchema(), stopping early once
// `limits` says the batch is full. Returns the id of the last row appended (first - 1: none).
int64_t AppendRows(int64_t first, int64_t last, Batch& batch,
                   const BatchLimits& limits = BatchLimits{SIZE_MAX, SIZE_MAX});

}  // namespace sluice::datagen
