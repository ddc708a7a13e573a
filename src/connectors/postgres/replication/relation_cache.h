// RelationCache: what the Relation and Type messages of one replication connection said.
//
// pgoutput describes a table (Relation) before the first change that uses it and again after
// its schema changed; changes refer to it by oid only. The cache keeps owned copies (the
// messages view a buffer that is gone by the next message). A Relation replaces the previous
// description of the same oid, so a change is always read with the latest one the server sent
// before it, as PostgreSQL's own apply worker does.
// Lifecycle: one per replication connection, used by its reading thread only. After a
// reconnect the server sends every Relation again, so a new cache is the safe start.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "connectors/postgres/replication/pgoutput_messages.h"
#include "core/status.h"

namespace sluice::postgres::replication {

struct CachedColumn {
  std::string name;
  bool key = false;
  uint32_t type_oid = 0;
  int32_t typmod = -1;
};

struct CachedRelation {
  uint32_t oid = 0;
  std::string namespace_name;  // "pg_catalog" when the message said ""
  std::string name;
  ReplicaIdentity replica_identity = ReplicaIdentity::kDefault;
  std::vector<CachedColumn> columns;

  std::string QualifiedName() const { return namespace_name + "." + name; }
};

struct CachedType {
  uint32_t oid = 0;
  std::string namespace_name;
  std::string name;
};

class RelationCache {
 public:
  void Apply(const RelationMessage& message);
  void Apply(const TypeMessage& message);

  // nullptr when no Relation for `oid` was seen.
  const CachedRelation* Find(uint32_t oid) const;
  // As Find, but a NotFound error naming the oid: a change for an unknown relation means
  // messages were lost or the stream was joined mid-way.
  Result<const CachedRelation*> Get(uint32_t oid) const;
  const CachedType* FindType(uint32_t oid) const;

  size_t size() const { return relations_.size(); }

 private:
  std::unordered_map<uint32_t, CachedRelation> relations_;
  std::unordered_map<uint32_t, CachedType> types_;
};

}  // namespace sluice::postgres::replication
