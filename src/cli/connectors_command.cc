// `sluice connectors`: the capability matrix, and each connector's options.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "config/job_file.h"
#include "core/connector_registry.h"

namespace sluice {
namespace {

const char* Mark(bool yes) {
  return yes ? "yes" : "-";
}

std::string Modes(const ConnectorCapabilities& caps) {
  std::string out;
  for (WriteMode m : caps.write_modes) {
    if (!out.empty()) out += ",";
    out += WriteModeName(m);
  }
  return out.empty() ? "-" : out;
}

void PrintOptions(const char* side, const std::vector<OptionSpec>& own,
                  const std::vector<OptionSpec>& common, int indent = 2) {
  std::printf("%s options:\n", side);
  auto print = [&](const OptionSpec& o, int depth) {
    std::string def = o.default_value.empty() ? "" : fmt::format(" (default: {})", o.default_value);
    const std::string required = !o.required ? ""
                                 : o.required_unless.empty()
                                     ? "[required] "
                                     : fmt::format("[required unless {}] ", o.required_unless);
    std::printf("%*s%-16s %s%s%s\n", indent + depth * 2, "", o.name.c_str(), required.c_str(),
                o.description.c_str(), def.c_str());
  };
  for (const OptionSpec& o : own) {
    print(o, 0);
    for (const OptionSpec& c : o.children) print(c, 1);
  }
  for (const OptionSpec& o : common) {
    print(o, 0);
    for (const OptionSpec& c : o.children) print(c, 1);
  }
}

}  // namespace

int ConnectorsCommand(const std::string& name) {
  const ConnectorRegistry& registry = BuiltinConnectors();
  if (!name.empty()) {
    const ConnectorInfo* info = registry.Find(name);
    if (!info) {
      std::fprintf(stderr, "error: unknown connector '%s' (known: %s)\n", name.c_str(),
                   fmt::format("{}", fmt::join(registry.Names(), ", ")).c_str());
      return kExitUsageError;
    }
    std::printf("%s: %s\n\n", info->name.c_str(), info->description.c_str());
    if (info->make_source) PrintOptions("source", info->source_options, CommonSourceOptions());
    if (info->make_sink) PrintOptions("target", info->target_options, CommonTargetOptions());
    return kExitOk;
  }
  std::printf("%-10s %-6s %-11s %-8s %-5s %-6s %-38s %s\n", "connector", "read", "incremental",
              "parallel", "cdc", "write", "write modes", "description");
  for (const ConnectorInfo& c : registry.all()) {
    const ConnectorCapabilities& k = c.capabilities;
    std::printf("%-10s %-6s %-11s %-8s %-5s %-6s %-38s %s\n", c.name.c_str(), Mark(k.batch_read),
                Mark(k.incremental_read), Mark(k.parallel_read), Mark(k.cdc_read),
                Mark(k.batch_write), Modes(k).c_str(), c.description.c_str());
  }
  std::printf("\n`sluice connectors NAME` lists a connector's options.\n");
  return kExitOk;
}

}  // namespace sluice
