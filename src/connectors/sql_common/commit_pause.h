// A test hook at the one moment that matters most for exactly-once: just before COMMIT is
// sent. With SLUICE_TEST_PAUSE_AT_COMMIT set to a path, the sink creates that file and waits
// (polling every 20 ms) until the file is removed, then sends COMMIT; a test meanwhile cuts
// the connection or kills the process (tests/hardening/checkpoint_test.cc). Unset: nothing.
#pragma once

namespace sluice::sql_common {

void PauseBeforeCommitForTests();

}  // namespace sluice::sql_common
