#include "engine/union_source.h"

#include <fmt/format.h>

#include "core/value_text.h"
#include "engine/job_setup.h"

namespace sluice {
namespace {

// Integers (to a wider integer), float32 (held as a double) to float64, and same-type
// columns keep their physical value: a slot or byte copy. A decimal's canonical text has
// exactly its type's scale ("1.50" in decimal(10,2), "1.5000" in decimal(12,4)), so a decimal
// keeps its text only when the scale stays (or the target is unconstrained).
bool SameRepresentation(const DataType& from, const DataType& to) {
  if (from.id == TypeId::kDecimal && to.id == TypeId::kDecimal) {
    return from.scale == to.scale || (to.precision == 0 && to.scale == 0);
  }
  if (from.id == to.id) return true;
  if (IsInteger(from.id) && IsInteger(to.id)) return true;
  return IsFloating(from.id) && to.id == TypeId::kFloat64;
}

class UnionSplitReader : public SplitReader {
 public:
  UnionSplitReader(std::unique_ptr<SplitReader> inner, const Schema& shard_schema,
                   const Schema& union_schema, const ShardColumns& mapping,
                   std::vector<std::string> constants, const TimeZone& zone)
      : inner_(std::move(inner)),
        shard_batch_(shard_schema),
        union_schema_(union_schema),
        mapping_(mapping),
        constants_(std::move(constants)),
        zone_(zone) {}

  Result<bool> Next(Batch& batch, RejectSink& rejects) override {
    shard_batch_.Clear();
    SLUICE_ASSIGN_OR_RETURN(bool more, inner_->Next(shard_batch_, rejects));
    const size_t rows = shard_batch_.num_rows();
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      Column& out = batch.columns[c];
      const int from = c < mapping_.index.size() ? mapping_.index[c] : -1;
      if (c >= mapping_.index.size()) {  // a source column: the same text on every row
        const std::string& value = constants_[c - mapping_.index.size()];
        for (size_t r = 0; r < rows; ++r) out.AppendBytes(value);
      } else if (from < 0) {
        for (size_t r = 0; r < rows; ++r) out.AppendNull();
      } else {
        SLUICE_RETURN_IF_ERROR(Convert(shard_batch_.columns[from], out, rows));
      }
    }
    batch.row_count_without_columns = rows;
    return more;
  }

 private:
  Status Convert(const Column& in, Column& out, size_t rows) {
    if (SameRepresentation(in.type(), out.type())) {
      for (size_t r = 0; r < rows; ++r) out.AppendFrom(in, r);
      return Status::OK();
    }
    for (size_t r = 0; r < rows; ++r) {
      if (in.IsNull(r)) {
        out.AppendNull();
      } else if (in.id() == TypeId::kDate) {  // to timestamp: midnight of that day
        out.AppendInt(in.GetInt(r) * 86'400'000'000LL);
      } else {
        // Widening through the canonical text is exact (integers into decimals and doubles,
        // decimals into a larger scale); it costs only on the columns that need it.
        text_.clear();
        FormatValue(in, r, text_);
        Status st = ParseAndAppend(text_, out, zone_);
        if (!st.ok()) {
          return Status::Internal("widening '{}' from {} to {} failed: {}", text_,
                                  TypeName(in.type()), TypeName(out.type()), st.message());
        }
      }
    }
    return Status::OK();
  }

  std::unique_ptr<SplitReader> inner_;
  Batch shard_batch_;
  const Schema& union_schema_;
  const ShardColumns& mapping_;
  std::vector<std::string> constants_;
  const TimeZone& zone_;
  std::string text_;
};

std::string ShardName(const ShardSource& shard) {
  return shard.db + "." + shard.table;
}

}  // namespace

Status UnionSource::Open(const ReadRequest& request) {
  std::vector<Schema> schemas;
  std::vector<std::string> names;
  ReadRequest all = request;
  all.columns.clear();
  for (ShardSource& shard : shards_) {
    Status st = shard.source->Open(all);
    if (!st.ok())
      return Status(st.code(), fmt::format("shard {}: {}", ShardName(shard), st.message()));
    schemas.push_back(shard.source->schema());
    names.push_back(ShardName(shard));
  }
  SLUICE_ASSIGN_OR_RETURN(union_, UnionSchemas(schemas, names));
  if (!request.columns.empty()) {
    // Keep the requested columns in the requested order; every shard reads those it has.
    SchemaUnion chosen;
    chosen.notes = union_.notes;
    chosen.shards.resize(shards_.size());
    for (const std::string& name : request.columns) {
      std::optional<size_t> at = union_.schema.IndexOf(name);
      if (!at) {
        return Err(Status::NotFound("column '{}' is in no shard (columns: {})", name,
                                    union_.schema.ToString()));
      }
      chosen.schema.fields.push_back(union_.schema.fields[*at]);
    }
    for (size_t s = 0; s < shards_.size(); ++s) {
      ReadRequest own = request;
      own.columns.clear();
      for (const Field& f : chosen.schema.fields) {
        if (schemas[s].IndexOf(f.name)) own.columns.push_back(f.name);
      }
      SLUICE_RETURN_IF_ERROR(shards_[s].source->Open(own));
      for (const Field& f : chosen.schema.fields) {
        std::optional<size_t> at = shards_[s].source->schema().IndexOf(f.name);
        chosen.shards[s].index.push_back(at ? static_cast<int>(*at) : -1);
      }
    }
    union_ = std::move(chosen);
  }
  for (const std::string& column : {source_columns_.db, source_columns_.table}) {
    if (column.empty()) continue;
    if (union_.schema.IndexOf(column)) {
      return Err(Status::Invalid(
          "source column '{}' is already a column of the source tables; choose another name "
          "in target.source_columns",
          column));
    }
    union_.schema.fields.push_back(Field{column, DataType::Of(TypeId::kString), false});
  }
  return Status::OK();
}

Result<std::optional<std::string>> UnionSource::MaxValue(const std::string& column) {
  std::optional<std::string> max;
  const std::optional<size_t> at = union_.schema.IndexOf(column);
  if (!at) return Err(Status::NotFound("watermark column '{}' is in no shard", column));
  const DataType type = union_.schema.fields[*at].type;
  for (ShardSource& shard : shards_) {
    Result<std::optional<std::string>> value = shard.source->MaxValue(column);
    if (!value) {
      return Err(Status(value.error().code(),
                        fmt::format("shard {}: {}", ShardName(shard), value.error().message())));
    }
    if (*value && (!max || CompareWatermarks(type, **value, *max) > 0)) max = *value;
  }
  return max;
}

Result<std::optional<int64_t>> UnionSource::EstimateRows() {
  int64_t total = 0;
  for (ShardSource& shard : shards_) {
    SLUICE_ASSIGN_OR_RETURN(std::optional<int64_t> rows, shard.source->EstimateRows());
    if (!rows) return std::optional<int64_t>();
    total += *rows;
  }
  return std::optional<int64_t>(total);
}

Result<std::vector<Split>> UnionSource::PlanSplits() {
  splits_.clear();
  std::vector<Split> out;
  for (size_t s = 0; s < shards_.size(); ++s) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<Split> own, shards_[s].source->PlanSplits());
    for (Split& split : own) {
      Split mine = split;
      mine.index = static_cast<int>(out.size());
      mine.description = ShardName(shards_[s]) + ": " + split.description;
      mine.payload = std::to_string(mine.index);
      if (in_order_) mine.estimated_rows.reset();
      out.push_back(std::move(mine));
      splits_.emplace_back(s, std::move(split));
    }
  }
  return out;
}

Result<std::unique_ptr<SplitReader>> UnionSource::OpenSplit(const Split& split) {
  const size_t index = static_cast<size_t>(std::stoul(split.payload));
  if (index >= splits_.size()) return Err(Status::Internal("unknown union split {}", index));
  const auto& [shard, own] = splits_[index];
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<SplitReader> inner,
                          shards_[shard].source->OpenSplit(own));
  std::vector<std::string> constants;
  if (!source_columns_.db.empty()) constants.push_back(shards_[shard].db);
  if (!source_columns_.table.empty()) constants.push_back(shards_[shard].table);
  return std::unique_ptr<SplitReader>(
      std::make_unique<UnionSplitReader>(std::move(inner), shards_[shard].source->schema(),
                                         union_.schema, union_.shards[shard], constants, zone_));
}

std::string UnionSource::Describe() const {
  if (shards_.size() == 1) return shards_[0].source->Describe();
  return fmt::format("{} shards ({} .. {})", shards_.size(), shards_.front().source->Describe(),
                     shards_.back().source->Describe());
}

}  // namespace sluice
