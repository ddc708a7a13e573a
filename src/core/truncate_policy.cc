#include "core/truncate_policy.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace sluice {

OptionSpec TruncateOptionSpec() {
  return {.name = "truncate",
          .default_value = "stop",
          .description =
              "mode realtime: a TRUNCATE of a streamed table at the source: stop (the "
              "job stops, naming the table), apply (the target's table is emptied "
              "at the same point of the stream, in the checkpoint that follows) or "
              "ignore (the target keeps the rows)"};
}

Result<TruncatePolicy> ParseTruncatePolicy(const Options& options) {
  const std::string value = options.GetString("truncate", "stop");
  if (value == "stop") return TruncatePolicy::kStop;
  if (value == "apply") return TruncatePolicy::kApply;
  if (value == "ignore") return TruncatePolicy::kIgnore;
  return Err(
      options.ErrorAt("truncate", fmt::format("expected stop, apply or ignore, got '{}'", value)));
}

Result<bool> CarryTruncate(TruncatePolicy policy, const std::string& table) {
  switch (policy) {
    case TruncatePolicy::kApply:
      return true;
    case TruncatePolicy::kIgnore:
      spdlog::warn(
          "{} was truncated at the source; ignored (truncate: ignore): its target keeps the rows",
          table);
      return false;
    case TruncatePolicy::kStop:
      break;
  }
  return Err(Status::Invalid(
      "{} was truncated at the source: the job stops rather than leave the target's rows in "
      "place; set the source's truncate: apply to empty the target's table too (or truncate: "
      "ignore to keep its rows), and start the job again: it goes on from its last checkpoint, "
      "before the TRUNCATE",
      table));
}

}  // namespace sluice
