// Connection URLs of the throwaway servers started by scripts/test-servers.sh, for integration
// tests. ctest starts the servers once (fixture db_servers) and points SLUICE_TEST_SERVERS_ENV
// at the env file the script wrote. Running a test binary by hand:
//   scripts/test-servers.sh start /tmp/srv && SLUICE_TEST_SERVERS_ENV=/tmp/srv/env
//   ./build/mysql_tests
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

namespace sluice::testing {

struct TestServers {
  std::string mysql_url;  // mysql://sluice:...@127.0.0.1:PORT/sluice_test
  std::string pg_url;     // postgresql://sluice:...@127.0.0.1:PORT/sluice_test
  int mysql_port = 0;
  int pg_port = 0;
};

// Throws with instructions when the servers are not there: an integration test must fail,
// never pass vacuously, when its server is missing.
inline const TestServers& GetTestServers() {
  static const TestServers servers = [] {
    const char* path = std::getenv("SLUICE_TEST_SERVERS_ENV");
    if (!path || !*path) {
      throw std::runtime_error(
          "SLUICE_TEST_SERVERS_ENV is not set: run through ctest, or start servers with "
          "scripts/test-servers.sh start DIR and set SLUICE_TEST_SERVERS_ENV=DIR/env");
    }
    std::ifstream in(path);
    if (!in) throw std::runtime_error(std::string("cannot read ") + path);
    std::map<std::string, std::string> vars;
    std::string line;
    while (std::getline(in, line)) {
      const std::string prefix = "export ";
      if (line.rfind(prefix, 0) == 0) line = line.substr(prefix.size());
      size_t eq = line.find('=');
      if (eq != std::string::npos) vars[line.substr(0, eq)] = line.substr(eq + 1);
    }
    TestServers s;
    s.mysql_url = vars["SLUICE_TEST_MYSQL_URL"];
    s.pg_url = vars["SLUICE_TEST_PG_URL"];
    s.mysql_port = std::atoi(vars["SLUICE_TEST_MYSQL_PORT"].c_str());
    s.pg_port = std::atoi(vars["SLUICE_TEST_PG_PORT"].c_str());
    if (s.mysql_url.empty() || s.pg_url.empty()) {
      throw std::runtime_error(std::string("incomplete test server env file ") + path);
    }
    return s;
  }();
  return servers;
}

}  // namespace sluice::testing
