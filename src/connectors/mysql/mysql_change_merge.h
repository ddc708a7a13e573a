// The merge of a staged change stream (inserts, updates, deletes) into an upsert target.
//
// Every change is loaded into the session's staging table in source order (its
// AUTO_INCREMENT _sluice_seq) with _sluice_remove = 1 when it removes its key (a delete, or
// an update's old image). At a checkpoint two statements apply all of them:
//   1. DELETE every target row whose key any staged change touches;
//   2. INSERT each touched key's last change, unless that change removes the key.
// So each key ends as its last change says, whatever happened before it in the batch: an
// update in place (old image, new image) re-inserts the new image, a key move deletes the old
// key and inserts the new one, insert-delete-insert keeps the last insert.
// Why delete every touched key rather than INSERT ... ON DUPLICATE KEY UPDATE: MySQL resolves a
// duplicate on *any* unique index, so with a second UNIQUE index an upsert could overwrite a
// different row (one whose unique value the change takes over). Deleting first leaves only the
// final images to insert: a unique conflict among them is a real conflict of the source's own
// state and fails the checkpoint instead of corrupting a row. The price: target columns that
// sluice does not write get their defaults back when a row is updated.
// The staging table is referenced once per statement: MySQL cannot reopen a temporary table
// within one statement, so the last change per key comes from a window function.
#pragma once

#include <string>
#include <vector>

namespace sluice::mysql {

struct ChangeMergeSql {
  std::string delete_sql;
  std::string insert_sql;
};

// `columns`: the staged target columns (the partition column included); `key`: the columns
// that identify a row (target.key, plus the partition column when there is one).
ChangeMergeSql BuildChangeMergeSql(const std::string& target, const std::string& staging,
                                   const std::vector<std::string>& columns,
                                   const std::vector<std::string>& key);

}  // namespace sluice::mysql
