#include "connectors/sql_common/commit_pause.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace sluice::sql_common {

void PauseBeforeCommitForTests() {
  const char* path = std::getenv("SLUICE_TEST_PAUSE_AT_COMMIT");
  if (path == nullptr || *path == '\0') return;
  { std::ofstream(path).put('\n'); }
  std::error_code ec;
  while (std::filesystem::exists(path, ec)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace sluice::sql_common
