#include "matrix_env.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "testing/test_servers.h"

namespace sluice::matrix {
namespace {

constexpr const char* kMatrixUser = "sluice_matrix";
constexpr const char* kMatrixPassword = "matrix-pw";

e2e::Workspace MakeWorkspace(const std::string& tag) {
  auto ws = e2e::Workspace::Create("sluice-matrix-" + tag + "-");
  if (!ws) throw std::runtime_error("cannot create a scratch directory: " + ws.error());
  return std::move(*ws);
}

std::map<int64_t, std::string> ReadRejects(const std::string& path) {
  std::map<int64_t, std::string> out;
  auto text = e2e::ReadFile(path);
  if (!text) return out;  // no file: nothing was rejected
  for (const std::string& line : e2e::SplitLines(*text)) {
    const nlohmann::json record = nlohmann::json::parse(line);
    const nlohmann::json& id = record.at("row").at("id");
    if (!id.is_string()) throw std::runtime_error("dirty record without an id: " + line);
    const std::string reason =
        record.at("stage").get<std::string>() + ": " + record.at("reason").get<std::string>();
    if (!out.emplace(std::stoll(id.get<std::string>()), reason).second) {
      throw std::runtime_error("two dirty records for one row: " + line);
    }
  }
  return out;
}

}  // namespace

MatrixEnv::MatrixEnv(const std::string& tag)
    : tag_(tag),
      database_("sluice_matrix_" + tag + "_" + std::to_string(::getpid())),
      workspace_(MakeWorkspace(tag)) {
  const sluice::testing::TestServers& servers = sluice::testing::GetTestServers();
  mysql_admin_ = std::make_unique<MysqlDb>(servers.mysql_url);
  mysql_admin_->Exec("CREATE DATABASE `" + database_ + "` CHARACTER SET utf8mb4");
  mysql_admin_->Exec(std::string("CREATE USER IF NOT EXISTS '") + kMatrixUser +
                         "'@'%' IDENTIFIED BY '" + kMatrixPassword + "'",
                     /*allow_warnings=*/true);  // "already exists" when another test made it
  mysql_admin_->Exec(std::string("GRANT ALL PRIVILEGES ON `sluice\\_matrix\\_%`.* TO '") +
                     kMatrixUser + "'@'%'");
  // init_connect runs for users without SUPER only; the condition narrows it to ours.
  mysql_admin_->Exec(std::string("SET GLOBAL init_connect = 'SET time_zone = IF(CURRENT_USER() = "
                                 "''") +
                     kMatrixUser + "@%'', ''+08:00'', @@session.time_zone)'");
  mysql_url_ = WithDatabase(WithUser(servers.mysql_url, kMatrixUser, kMatrixPassword), database_);
  mysql_ = std::make_unique<MysqlDb>(WithDatabase(servers.mysql_url, database_));

  pg_admin_url_ = servers.pg_url;
  PgDb admin(pg_admin_url_);
  admin.Exec("CREATE DATABASE " + database_);
  admin.Exec("ALTER DATABASE " + database_ + " SET TimeZone = 'Asia/Shanghai'");
  pg_url_ = WithDatabase(servers.pg_url, database_);
  pg_ = std::make_unique<PgDb>(pg_url_);
}

MatrixEnv::~MatrixEnv() {
  if (std::getenv("SLUICE_MATRIX_KEEP")) {
    std::cerr << "kept databases " << database_ << " (MariaDB and PostgreSQL) and "
              << workspace_.root() << "\n";
    workspace_.Keep();
    return;
  }
  // Cleanup failures must not hide the test's outcome: report them and go on.
  try {
    mysql_.reset();
    pg_.reset();
    mysql_admin_->Exec("DROP DATABASE IF EXISTS `" + database_ + "`");
    PgDb admin(pg_admin_url_);
    admin.Exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::cerr << "cleanup of " << database_ << " failed: " << e.what() << "\n";
  }
}

std::string MatrixEnv::MysqlDefaultZoneForSluice() {
  MysqlDb db(mysql_url_, /*utc=*/false);
  return db.Value("SELECT @@session.time_zone").value_or("NULL");
}

RunOutcome MatrixEnv::Run(const std::string& name, const std::string& source,
                          const std::string& target, const std::string& settings) {
  const std::string job = "matrix_" + name + ".yaml";
  const std::string dirty = "dirty/" + name + ".jsonl";
  std::ostringstream yaml;
  yaml << "name: matrix_" << name << "\n"
       << "source: " << source << "\n"
       << "target: " << target << "\n"
       << "settings: {" << settings << ", error_limit: {rows: 100}, dirty_records: " << dirty
       << "}\n";
  if (auto st = e2e::WriteFile(Path(job), yaml.str()); !st) throw std::runtime_error(st.error());
  e2e::ProcessSpec spec;
  // SLUICE_MATRIX_BINARY runs the matrix against another build (e.g. one with a fix).
  const char* binary = std::getenv("SLUICE_MATRIX_BINARY");
  spec.argv = {binary && *binary ? binary : SLUICE_BINARY, "run", job};
  spec.cwd = workspace_.root();
  spec.env = {{"SLUICE_STATE", Path(".sluice-state/state.db")}};
  spec.stdout_path = Path(name + ".stdout");
  spec.stderr_path = Path(name + ".stderr");
  RunOutcome out;
  out.process = e2e::RunProcess(spec, std::chrono::seconds(120));
  out.rejects = ReadRejects(Path(dirty));
  return out;
}

}  // namespace sluice::matrix
