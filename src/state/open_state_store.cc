// Which store a location names: the scheme decides, a plain path is a SQLite file.
#include <cctype>
#include <string_view>

#include "state/postgres_state_store.h"
#include "state/state_store.h"

namespace sluice {
namespace {

enum class StoreKind { kSqlite, kPostgres, kUnknown };

struct StoreLocation {
  StoreKind kind;
  std::string rest;  // the SQLite path, or the whole PostgreSQL URL
  std::string scheme;
};

StoreLocation ParseLocation(const std::string& location) {
  const size_t colon = location.find(':');
  // A plain path: no scheme, or a Windows-looking drive letter, or a colon after a slash.
  if (colon == std::string::npos || location.find('/') < colon) {
    return {StoreKind::kSqlite, location, ""};
  }
  const std::string scheme = location.substr(0, colon);
  for (char c : scheme) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) {
      return {StoreKind::kSqlite, location, ""};
    }
  }
  if (scheme == "sqlite") return {StoreKind::kSqlite, location.substr(colon + 1), scheme};
  if (scheme == "postgresql" || scheme == "postgres") {
    return {StoreKind::kPostgres, location, scheme};
  }
  return {StoreKind::kUnknown, location, scheme};
}

Status UnknownScheme(const StoreLocation& where) {
  return Status::Invalid(
      "state store '{}:...': unknown scheme '{}'; use sqlite:PATH (or a plain path) for the "
      "embedded store, or postgresql://USER@HOST:PORT/DATABASE for a shared one",
      where.scheme, where.scheme);
}

}  // namespace

Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& location) {
  const StoreLocation where = ParseLocation(location);
  switch (where.kind) {
    case StoreKind::kSqlite:
      if (where.rest.empty()) return Err(Status::Invalid("state store 'sqlite:': no path given"));
      return OpenSqliteStateStore(where.rest);
    case StoreKind::kPostgres:
      return OpenPostgresStateStore(where.rest);
    case StoreKind::kUnknown:
      break;
  }
  return Err(UnknownScheme(where));
}

Result<std::unique_ptr<StateStore>> OpenStateStoreReadOnly(const std::string& location) {
  const StoreLocation where = ParseLocation(location);
  switch (where.kind) {
    case StoreKind::kSqlite:
      if (where.rest.empty()) return Err(Status::Invalid("state store 'sqlite:': no path given"));
      return OpenSqliteStateStoreReadOnly(where.rest);
    case StoreKind::kPostgres:
      return OpenPostgresStateStoreReadOnly(where.rest);
    case StoreKind::kUnknown:
      break;
  }
  return Err(UnknownScheme(where));
}

}  // namespace sluice
