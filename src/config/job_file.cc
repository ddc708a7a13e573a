// LoadJobFile: YAML text -> overrides applied -> time zone and bizdate -> every section
// validated with parameters substituted -> JobSpec. The first error stops the load; each error
// is one line that points at the file, line and column and names the key.
#include "config/job_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config/mask_secrets.h"
#include "config/option_validator.h"
#include "config/overrides.h"
#include "config/parameters.h"
#include "config/parse_context.h"
#include "config/settings_section.h"
#include "config/suggest.h"
#include "config/tables_section.h"
#include "config/transforms_section.h"

namespace sluice {

namespace {

const std::vector<std::string> kTopLevelKeys = {"name",       "mode",   "source",    "target",
                                                "transforms", "routes", "overrides", "settings"};
const std::vector<std::string> kModes = {"batch", "realtime", "full_and_incremental"};
constexpr std::string_view kTimeZonePath = "settings.time_zone";

// Job files are small (a big whole-database job is a few kB); anything larger is a mistake or
// an attack, and its YAML tree would cost many times its size in memory.
constexpr size_t kMaxJobFileBytes = 1 << 20;

// Reads a regular file of at most kMaxJobFileBytes. The file is opened without blocking and
// checked before anything is read: a FIFO would wait for a writer forever, and a device such
// as /dev/zero never ends.
Result<std::string> ReadWholeFile(const std::string& path) {
  auto fail = [&](int error) {
    return Err(Status(error == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                      fmt::format("cannot read job file '{}': {}", path, std::strerror(error))));
  };
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return fail(errno);
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int error = errno;
    close(fd);
    return fail(error);
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return fail(EISDIR);
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return Err(
        Status::Invalid("job file '{}' is not a regular file ({}); give the path of a YAML file",
                        path, S_ISFIFO(st.st_mode) ? "a FIFO" : "a device or socket"));
  }
  auto too_big = [&] {
    return Err(
        Status::Invalid("job file '{}' is larger than the limit of {} bytes (1 MiB); a job "
                        "file describes a job, its data belongs in the source",
                        path, kMaxJobFileBytes));
  };
  if (static_cast<uint64_t>(st.st_size) > kMaxJobFileBytes) {
    close(fd);
    return too_big();
  }
  std::string text;
  char buffer[8192];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      close(fd);
      return fail(error);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxJobFileBytes) {  // it grew while being read
      close(fd);
      return too_big();
    }
  }
  close(fd);
  return text;
}

Result<YAML::Node> ParseYaml(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return Err(Status::Invalid("{}: invalid YAML: {}", file, e.msg));
    return Err(Status::Invalid("{}:{}:{}: invalid YAML: {}", file, e.mark.line + 1,
                               e.mark.column + 1, e.msg));
  }
}

const ParseContext::Entry* FindEntry(const std::vector<ParseContext::Entry>& entries,
                                     std::string_view key) {
  for (const ParseContext::Entry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

// settings.time_zone, read before anything else because ${bizdate} is "yesterday" in it; so it
// cannot itself use parameters.
Result<TimeZone> ReadTimeZone(const ParseContext& context, const YAML::Node& root) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<ParseContext::Entry> top, context.Entries(root, ""));
  const ParseContext::Entry* settings = FindEntry(top, "settings");
  if (settings == nullptr || !settings->value.IsMap()) return TimeZone::Utc();
  SLUICE_ASSIGN_OR_RETURN(std::vector<ParseContext::Entry> entries,
                          context.Entries(settings->value, "settings"));
  const ParseContext::Entry* zone = FindEntry(entries, "time_zone");
  if (zone == nullptr) return TimeZone::Utc();
  const std::string path(kTimeZonePath);
  SLUICE_ASSIGN_OR_RETURN(OptionValue value,
                          ValidateValue(context, *zone, OptionSpec{.name = "time_zone"}, path));
  if (value.scalar.find("${") != std::string::npos) {
    return Err(context.Error(zone->value_location, path,
                             "parameters are not allowed here: ${bizdate} is computed in this "
                             "time zone"));
  }
  Result<TimeZone> loaded = TimeZone::Load(value.scalar);
  if (!loaded) return Err(context.Error(zone->value_location, path, loaded.error().message()));
  return loaded;
}

int64_t NowMicros(const JobLoadOptions& options) {
  if (options.now_micros != 0) return options.now_micros;
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::string> ScalarValue(const ParseContext& context, const ParseContext::Entry& entry) {
  SLUICE_ASSIGN_OR_RETURN(OptionValue value,
                          ValidateValue(context, entry, OptionSpec{.name = entry.key}, entry.key));
  return value.scalar;
}

bool IsValidJobName(const std::string& name) {
  if (name.empty() || name == "." || name == "..") return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status CheckMode(const ParseContext& context, const ParseContext::Entry& entry,
                 const std::string& mode) {
  if (mode == "batch" || mode == "realtime") return Status::OK();
  if (mode == "full_and_incremental") {
    return context.Error(entry.value_location, "mode",
                         "'full_and_incremental' is not supported yet (batch and realtime are)");
  }
  return context.Error(entry.value_location, "mode",
                       fmt::format("unknown mode '{}'{}; expected batch or realtime",
                                   MaskSecrets(mode), DidYouMean(mode, kModes)));
}

struct ConnectorSection {
  const ConnectorInfo* info = nullptr;
  Options options;
};

enum class Side { kSource, kTarget };

// The connector's keys plus the engine's; a connector repeating an engine key is ignored.
std::vector<OptionSpec> SectionSpecs(const ConnectorInfo& info, Side side) {
  const std::vector<OptionSpec>& common =
      side == Side::kSource ? CommonSourceOptions() : CommonTargetOptions();
  std::vector<OptionSpec> specs(common.begin(), common.begin() + 1);  // type first
  const auto& own = side == Side::kSource ? info.source_options : info.target_options;
  for (const OptionSpec& spec : own) {
    bool duplicate = false;
    for (const OptionSpec& c : common) duplicate = duplicate || c.name == spec.name;
    if (!duplicate) specs.push_back(spec);
  }
  specs.insert(specs.end(), common.begin() + 1, common.end());
  return specs;
}

Result<const ConnectorInfo*> FindConnector(const ParseContext& context,
                                           const ParseContext::Entry& type_entry,
                                           const std::string& path, Side side,
                                           const ConnectorRegistry& registry) {
  const std::string type_path = path + ".type";
  SLUICE_ASSIGN_OR_RETURN(
      OptionValue type, ValidateValue(context, type_entry, OptionSpec{.name = "type"}, type_path));
  const ConnectorInfo* info = registry.Find(type.scalar);
  if (info == nullptr) {
    const std::vector<std::string> names = registry.Names();
    const std::string known = names.empty() ? "no connectors are registered"
                                            : "registered connectors: " + JoinComma(names);
    return Err(context.Error(type_entry.value_location, type_path,
                             fmt::format("unknown connector '{}'{}; {}", MaskSecrets(type.scalar),
                                         DidYouMean(type.scalar, names), known)));
  }
  const bool reads = info->make_source != nullptr || info->capabilities.batch_read;
  const bool writes = info->make_sink != nullptr || info->capabilities.batch_write;
  if (side == Side::kSource && !reads) {
    return Err(context.Error(
        type_entry.value_location, type_path,
        fmt::format("connector '{}' cannot read; it can only be a target", info->name)));
  }
  if (side == Side::kTarget && !writes) {
    return Err(context.Error(
        type_entry.value_location, type_path,
        fmt::format("connector '{}' cannot write; it can only be a source", info->name)));
  }
  return info;
}

Status CheckWriteMode(const ConnectorInfo& info, const Options& target) {
  const std::string text = target.GetString("write_mode", "append");
  Result<WriteMode> mode = ParseWriteMode(text);
  const std::vector<std::string> all = {"append", "overwrite", "upsert", "replace", "ignore"};
  if (!mode) {
    return target.ErrorAt("write_mode",
                          fmt::format("unknown write mode '{}'{}; expected {}", MaskSecrets(text),
                                      DidYouMean(text, all), JoinOr(all)));
  }
  const std::vector<WriteMode>& supported = info.capabilities.write_modes;
  if (supported.empty()) return Status::OK();
  std::vector<std::string> names;
  for (WriteMode m : supported) {
    if (m == *mode) return Status::OK();
    names.emplace_back(WriteModeName(m));
  }
  return target.ErrorAt("write_mode",
                        fmt::format("connector '{}' does not support write mode '{}' (it "
                                    "supports {})",
                                    info.name, text, JoinComma(names)));
}

Result<ConnectorSection> ParseConnectorSection(const ParseContext& context,
                                               const ParseContext::Entry& entry, Side side,
                                               const ConnectorRegistry& registry,
                                               bool multi_table = false) {
  const std::string& path = entry.key;
  const YAML::Node& node = entry.value;
  if (!node.IsNull() && !node.IsMap()) {
    return Err(
        context.Error(entry.value_location, path,
                      fmt::format("expected a mapping of keys, got {}", DescribeNode(node))));
  }
  std::vector<ParseContext::Entry> entries;
  if (node.IsMap()) {
    SLUICE_ASSIGN_OR_RETURN(entries, context.Entries(node, path));
  }
  const ParseContext::Entry* type_entry = FindEntry(entries, "type");
  if (type_entry == nullptr) {
    return Err(context.Error(entry.key_location, path, "missing required key 'type'"));
  }
  ConnectorSection section;
  SLUICE_ASSIGN_OR_RETURN(section.info, FindConnector(context, *type_entry, path, side, registry));
  std::vector<OptionSpec> specs = SectionSpecs(*section.info, side);
  const ParseContext::Entry* tables =
      side == Side::kSource ? FindEntry(entries, "tables") : nullptr;
  if (tables != nullptr) {
    // `tables` selects many tables; `table` then comes from each match.
    if (const ParseContext::Entry* table = FindEntry(entries, "table")) {
      return Err(context.Error(table->key_location, path + ".table",
                               "give either table (one table) or tables (patterns), not both"));
    }
    if (!section.info->list_tables) {
      return Err(
          context.Error(tables->key_location, path + ".tables",
                        fmt::format("connector '{}' cannot list tables; name one with `table`",
                                    section.info->name)));
    }
  }
  if (tables == nullptr && side == Side::kSource) {
    if (const ParseContext::Entry* more = FindEntry(entries, "connections")) {
      return Err(context.Error(more->key_location, path + ".connections",
                               "applies with `tables` (patterns over many tables)"));
    }
  }
  // Keys that only jobs over many tables use are not offered (nor suggested) to the others.
  const std::vector<std::string> multi_only =
      side == Side::kSource
          ? std::vector<std::string>{"tables", "connections"}
          : std::vector<std::string>{"table_case", "source_columns", "duplicate_keys"};
  const bool offer = side == Side::kSource ? section.info->list_tables != nullptr : multi_table;
  if (!offer) {
    std::erase_if(specs, [&](const OptionSpec& spec) {
      return std::find(multi_only.begin(), multi_only.end(), spec.name) != multi_only.end();
    });
  }
  if (tables != nullptr || multi_table) {
    // The source's tables come from the patterns, the target's names from `table` as a
    // template that defaults to ${table}.
    for (OptionSpec& spec : specs) {
      if (spec.name == "table") spec.required = false;
    }
  }
  SLUICE_ASSIGN_OR_RETURN(section.options,
                          ValidateSection(context, node, specs, path, entry.key_location));
  if (side == Side::kSource && section.options.Has("incremental") &&
      !section.info->capabilities.incremental_read) {
    return Err(section.options.ErrorAt(
        "incremental",
        fmt::format("connector '{}' cannot read incrementally", section.info->name)));
  }
  if (side == Side::kTarget) {
    SLUICE_RETURN_IF_ERROR(CheckWriteMode(*section.info, section.options));
  }
  return section;
}

// ${db}, ${table} and ${1}.. are left for multi-table jobs to fill in; a job naming one table
// has nothing to fill them with (and a table literally named "${table}" is never wanted).
Status CheckNoTablePlaceholders(const Options& section) {
  for (const auto& [key, value] : section.values()) {
    for (size_t at = value.scalar.find("${"); at != std::string::npos;
         at = value.scalar.find("${", at + 2)) {
      const size_t close = value.scalar.find('}', at);
      if (close == std::string::npos) break;
      const std::string name = value.scalar.substr(at + 2, close - at - 2);
      if (!IsTableNameParameter(name)) continue;
      return section.ErrorAt(
          key, fmt::format("${{{}}} names each table of a job over many tables (source.tables); "
                           "this job names one table (give it with --set {}=VALUE to use it as "
                           "a parameter)",
                           name, name));
    }
  }
  return Status::OK();
}

Result<JobSpec> BuildJob(const ParseContext& context, const YAML::Node& root,
                         const ConnectorRegistry& registry) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<ParseContext::Entry> top, context.Entries(root, ""));
  for (const ParseContext::Entry& e : top) {
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), e.key) != kTopLevelKeys.end()) {
      continue;
    }
    std::string hint = DidYouMean(e.key, kTopLevelKeys);
    if (hint.empty()) hint = fmt::format(" (valid keys: {})", JoinComma(kTopLevelKeys));
    return Err(context.Error(e.key_location, "", fmt::format("unknown key '{}'{}", e.key, hint)));
  }
  const SourceLocation root_location = context.Where(root);
  for (std::string_view key : {"name", "source", "target"}) {
    if (FindEntry(top, key) == nullptr) {
      return Err(context.Error(root_location, "", fmt::format("missing required key '{}'", key)));
    }
  }
  JobSpec job;
  job.file = context.file();
  const ParseContext::Entry& name = *FindEntry(top, "name");
  SLUICE_ASSIGN_OR_RETURN(job.name, ScalarValue(context, name));
  if (!IsValidJobName(job.name)) {
    return Err(context.Error(name.value_location, "name",
                             fmt::format("'{}' is not a valid job name (use letters, digits, "
                                         "'_', '.' and '-')",
                                         MaskSecrets(job.name))));
  }
  if (const ParseContext::Entry* mode = FindEntry(top, "mode")) {
    SLUICE_ASSIGN_OR_RETURN(job.mode, ScalarValue(context, *mode));
    SLUICE_RETURN_IF_ERROR(CheckMode(context, *mode, job.mode));
  }
  SLUICE_ASSIGN_OR_RETURN(
      ConnectorSection source,
      ParseConnectorSection(context, *FindEntry(top, "source"), Side::kSource, registry));
  job.source_type = source.info->name;
  job.source = std::move(source.options);
  SLUICE_ASSIGN_OR_RETURN(ConnectorSection target,
                          ParseConnectorSection(context, *FindEntry(top, "target"), Side::kTarget,
                                                registry, job.multi_table()));
  job.target_type = target.info->name;
  job.target = std::move(target.options);
  if (const ParseContext::Entry* transforms = FindEntry(top, "transforms")) {
    SLUICE_ASSIGN_OR_RETURN(job.transforms,
                            ParseTransforms(context, transforms->value, transforms->key_location));
  }
  if (const ParseContext::Entry* routes = FindEntry(top, "routes")) {
    SLUICE_ASSIGN_OR_RETURN(job.routes, ParseRoutes(context, *routes));
  }
  if (const ParseContext::Entry* overrides = FindEntry(top, "overrides")) {
    SLUICE_ASSIGN_OR_RETURN(job.overrides, ParseOverrides(context, *overrides));
  }
  if (!job.multi_table()) {
    SLUICE_RETURN_IF_ERROR(CheckNoTablePlaceholders(job.source));
    SLUICE_RETURN_IF_ERROR(CheckNoTablePlaceholders(job.target));
    for (std::string_view key : {"routes", "overrides"}) {
      if (const ParseContext::Entry* e = FindEntry(top, key)) {
        return Err(context.Error(
            e->key_location, key,
            "applies to jobs that select tables with source.tables; this job names one table"));
      }
    }
  }
  const ParseContext::Entry* settings = FindEntry(top, "settings");
  SLUICE_ASSIGN_OR_RETURN(
      job.settings,
      ParseSettings(context, settings ? settings->value : YAML::Node(),
                    settings ? settings->key_location : SourceLocation{context.file(), 0, 0}));
  return job;
}

Result<JobSpec> ParseJob(const std::string& text, const std::string& file_name,
                         const JobLoadOptions& options, const ConnectorRegistry& registry) {
  SLUICE_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, file_name));
  if (root.IsNull()) {
    return Err(
        Status::Invalid("{}: the job file is empty (expected at least name, source and "
                        "target)",
                        file_name));
  }
  if (!root.IsMap()) {
    return Err(Status::Invalid(
        "{}:{}:{}: expected a mapping of keys (name, source, target, ...), "
        "got {}",
        file_name, root.Mark().line + 1, root.Mark().column + 1, DescribeNode(root)));
  }
  SLUICE_ASSIGN_OR_RETURN(SetArguments sets, SplitSetArguments(options.sets));
  SLUICE_ASSIGN_OR_RETURN(std::set<std::string> overridden, ApplyOverrides(root, sets.overrides));
  const std::set<std::string> raw = {std::string(kTimeZonePath)};

  // Parameters do not exist yet while the time zone is read; it is a raw path, so the
  // placeholder resolver is never consulted.
  const ParameterResolver no_parameters(0, {});
  SLUICE_ASSIGN_OR_RETURN(
      TimeZone zone, ReadTimeZone(ParseContext(file_name, no_parameters, overridden, raw), root));
  int32_t bizdate = 0;
  if (options.bizdate) {
    SLUICE_ASSIGN_OR_RETURN(bizdate, ParseBizdate(*options.bizdate));
  } else {
    bizdate = DefaultBizdate(NowMicros(options), zone);
  }
  const ParameterResolver parameters(bizdate, sets.parameters);
  const ParseContext context(file_name, parameters, std::move(overridden), raw);
  SLUICE_ASSIGN_OR_RETURN(JobSpec job, BuildJob(context, root, registry));
  job.parameters = parameters.values();
  SLUICE_ASSIGN_OR_RETURN(job.parameters["bizdate"], FormatDatePattern(bizdate, "yyyyMMdd"));
  return job;
}

}  // namespace

Result<JobSpec> ParseJobText(const std::string& text, const std::string& file_name,
                             const JobLoadOptions& options, const ConnectorRegistry& registry) {
  // yaml-cpp reports syntax errors (handled in ParseYaml) and misuse by exceptions; none may
  // escape into the engine.
  try {
    return ParseJob(text, file_name, options, registry);
  } catch (const YAML::Exception& e) {
    return Err(Status::Internal("{}: cannot read the job file: {}", file_name, e.what()));
  }
}

Result<JobSpec> LoadJobFile(const std::string& path, const JobLoadOptions& options,
                            const ConnectorRegistry& registry) {
  SLUICE_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  return ParseJobText(text, path, options, registry);
}

}  // namespace sluice
