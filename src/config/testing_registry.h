// A ConnectorRegistry of fake connectors for the config tests: option specs and capabilities
// only (no factories), so the tests do not depend on the real connectors.
#pragma once

#include "core/connector_registry.h"

namespace sluice::testing {

inline ConnectorRegistry FakeRegistry() {
  ConnectorRegistry registry;

  ConnectorInfo db;
  db.name = "fakedb";
  db.description = "a database that is not there";
  db.capabilities = {
      .batch_read = true,
      .incremental_read = true,
      .parallel_read = true,
      .batch_write = true,
      .write_modes = {WriteMode::kAppend, WriteMode::kOverwrite, WriteMode::kUpsert}};
  db.source_options = {
      {.name = "url", .required = true, .description = "fakedb://user:password@host/db"},
      {.name = "table", .required = true, .description = "the table to read"},
      {.name = "fetch_size", .kind = OptionKind::kInt, .default_value = "1000"},
      {.name = "schema", .kind = OptionKind::kStringMap, .description = "column types"},
      {.name = "password", .description = "the password, if not in the url"},
  };
  db.target_options = {
      {.name = "url", .required = true},
      {.name = "table", .required = true},
      {.name = "create_table", .kind = OptionKind::kBool, .default_value = "false"},
  };
  registry.Register(std::move(db));

  ConnectorInfo csv;
  csv.name = "csv";
  csv.capabilities = {.batch_read = true,
                      .batch_write = true,
                      .write_modes = {WriteMode::kAppend, WriteMode::kOverwrite}};
  csv.source_options = {
      {.name = "path", .required = true},
      {.name = "header", .kind = OptionKind::kBool, .default_value = "true"},
      {.name = "delimiter", .default_value = ","},
  };
  csv.target_options = {
      {.name = "path", .required = true},
      {.name = "header", .kind = OptionKind::kBool, .default_value = "true"},
  };
  registry.Register(std::move(csv));

  ConnectorInfo printer;
  printer.name = "printer";  // write-only
  printer.capabilities = {.batch_write = true};
  registry.Register(std::move(printer));
  return registry;
}

}  // namespace sluice::testing
