#include "connectors/postgres/replication/relation_cache.h"

namespace sluice::postgres::replication {

void RelationCache::Apply(const RelationMessage& message) {
  CachedRelation& rel = relations_[message.oid];
  rel.oid = message.oid;
  // pgoutput sends an empty namespace for pg_catalog, to keep the message short.
  rel.namespace_name =
      message.namespace_name.empty() ? "pg_catalog" : std::string(message.namespace_name);
  rel.name = std::string(message.name);
  rel.replica_identity = message.replica_identity;
  rel.columns.clear();
  rel.columns.reserve(message.columns.size());
  for (const RelationColumn& c : message.columns) {
    rel.columns.push_back(CachedColumn{std::string(c.name), c.key, c.type_oid, c.typmod});
  }
}

void RelationCache::Apply(const TypeMessage& message) {
  CachedType& t = types_[message.oid];
  t.oid = message.oid;
  t.namespace_name =
      message.namespace_name.empty() ? "pg_catalog" : std::string(message.namespace_name);
  t.name = std::string(message.name);
}

const CachedRelation* RelationCache::Find(uint32_t oid) const {
  auto it = relations_.find(oid);
  return it == relations_.end() ? nullptr : &it->second;
}

Result<const CachedRelation*> RelationCache::Get(uint32_t oid) const {
  const CachedRelation* rel = Find(oid);
  if (rel == nullptr) {
    return Err(Status::NotFound(
        "pgoutput: a change refers to relation oid {}, which no Relation message described", oid));
  }
  return rel;
}

const CachedType* RelationCache::FindType(uint32_t oid) const {
  auto it = types_.find(oid);
  return it == types_.end() ? nullptr : &it->second;
}

}  // namespace sluice::postgres::replication
