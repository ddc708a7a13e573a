// The working tables of online schema change tools, which jobs over many tables leave out.
//
// gh-ost and pt-online-schema-change change table T by building a changed copy beside it and
// swapping the two in one RENAME at the end (the realtime reader follows that swap on T:
// docs/guarantees.md). The copy and the tool's other tables are named after T:
//   gh-ost:  _T_gho (the copy), _T_ghc (its changelog), _T_del (T after the swap;
//            _T_<yyyymmddhhmmss>_del with --timestamp-old-table);
//   pt-osc:  _T_new (the copy), _T_old (T after the swap); more leading underscores when a
//            table of that name exists already.
// A pattern like "shop.*" selects them too: a realtime job would take the copy up as a table of
// its own, so that the swap renames two of its tables and stops. So realtime jobs leave them
// out when T itself is selected, unless a pattern names them exactly. (Batch jobs copy them:
// a job copies what its patterns select.)
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/connector_registry.h"
#include "tables/table_pattern.h"

namespace sluice {

// The names of T for which `name` would be one of the tools' tables (several when leading
// underscores or digits leave it open: "__a_new" may be pt-osc's copy of "a" or of "_a");
// empty for any other name.
std::vector<std::string> ToolTableBases(std::string_view name);

// The table T of `table`'s db that `table` is a tool's table of, when `is_selected(T)` (the
// job reads T) and no pattern of `selector` names `table` exactly; "" otherwise.
std::string ToolTableBase(const TableSelector& selector, const CatalogTable& table,
                          const std::function<bool(const std::string&)>& is_selected);

// The line that says `table` is left out as a tool's table of `base`.
std::string LeftOutToolTableNote(const CatalogTable& table, const std::string& base);

}  // namespace sluice
