#include "case_file.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <set>

#include <yaml-cpp/yaml.h>

#include "support/workspace.h"

namespace sluice::e2e {
namespace {

namespace fs = std::filesystem;

// Errors inside the parser carry their own location; this exception never leaves this file.
struct CaseError {
  std::string message;
};

std::string Where(const std::string& file, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

[[noreturn]] void Fail(const std::string& file, const YAML::Node& node, const std::string& what) {
  throw CaseError{Where(file, node) + ": " + what};
}

// A date placeholder: today or yesterday (UTC, like sluice's default time zone), formatted
// with strftime; `%Y%m%d` by default, matching ${bizdate}.
std::optional<std::string> DateValue(const std::string& name) {
  const size_t colon = name.find(':');
  const std::string day = name.substr(0, colon);
  const std::string format = colon == std::string::npos ? "%Y%m%d" : name.substr(colon + 1);
  std::time_t t = std::time(nullptr);
  if (day == "yesterday") {
    t -= 24 * 60 * 60;
  } else if (day != "today") {
    return std::nullopt;
  }
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  const size_t n = std::strftime(buf, sizeof buf, format.c_str(), &tm);
  return std::string(buf, n);
}

std::expected<std::string, std::string> Substitute(const std::string& text,
                                                   const Placeholders& placeholders) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    const size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) return std::unexpected("unclosed {{ in the case file");
    const std::string name = text.substr(open + 2, close - open - 2);
    out.append(text, pos, open - pos);
    if (auto it = placeholders.find(name); it != placeholders.end()) {
      out += it->second;
    } else if (auto date = DateValue(name)) {
      out += *date;
    } else {
      return std::unexpected("unknown placeholder {{" + name + "}}");
    }
    pos = close + 2;
  }
  out.append(text, pos);
  return out;
}

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  Case ParseCase(const YAML::Node& root) {
    static const std::set<std::string> kCaseKeys = {"description", "skip", "files", "sqlite",
                                                    "env",         "job",  "steps", "expect"};
    static const std::set<std::string> kStepKeys = StepKeys();
    if (!root.IsMap()) Fail(file_, root, "a case is a mapping");
    // Without `steps`, the case itself holds the keys of its only step.
    const bool single_step = !root["steps"];
    std::set<std::string> allowed = kCaseKeys;
    if (single_step) allowed.insert(kStepKeys.begin(), kStepKeys.end());
    CheckKeys(root, allowed, "case");

    Case c;
    c.file = file_;
    c.description = RequiredText(root, "description");
    if (root["skip"]) c.skip = Text(root["skip"]);
    c.files = Texts(root["files"]);
    c.sqlite = Texts(root["sqlite"]);
    c.env = Env(root["env"]);
    if (root["job"]) c.job = Text(root["job"]);
    if (single_step) {
      c.steps.push_back(ParseStep(root, /*is_case_root=*/true));
    } else {
      const YAML::Node steps = root["steps"];
      if (!steps.IsSequence() || steps.size() == 0) Fail(file_, steps, "steps: a non-empty list");
      for (const YAML::Node& s : steps) c.steps.push_back(ParseStep(s, false));
    }
    if (root["expect"] && !single_step) c.expect = ParseExpect(root["expect"]);
    return c;
  }

 private:
  static std::set<std::string> StepKeys() {
    return {"files",
            "remove",
            "job",
            "sql",
            "env",
            "run",
            "check",
            "cmd",
            "exit",
            "error",
            "stdout_contains",
            "stdout_not_contains",
            "stderr_contains",
            "stderr_not_contains",
            "writes_nothing",
            "expect"};
  }

  void CheckKeys(const YAML::Node& map, const std::set<std::string>& allowed,
                 const std::string& what) {
    for (const auto& kv : map) {
      const std::string key = kv.first.as<std::string>();
      if (allowed.count(key) == 0) {
        std::string list;
        for (const std::string& k : allowed) list += (list.empty() ? "" : ", ") + k;
        Fail(file_, kv.first, "unknown key '" + key + "' (allowed in " + what + ": " + list + ")");
      }
    }
  }

  std::string Text(const YAML::Node& node) {
    if (!node.IsScalar() && !node.IsNull()) Fail(file_, node, "expected a single value");
    // yaml-cpp reads NULL, null and ~ as null nodes; a test means the text it wrote.
    return node.Scalar();
  }

  std::string RequiredText(const YAML::Node& map, const std::string& key) {
    if (!map[key]) Fail(file_, map, "missing key '" + key + "'");
    return Text(map[key]);
  }

  std::vector<std::string> List(const YAML::Node& node) {
    std::vector<std::string> out;
    if (!node) return out;
    if (node.IsSequence()) {
      for (const YAML::Node& item : node) out.push_back(Text(item));
    } else {
      out.push_back(Text(node));
    }
    return out;
  }

  // Rows as a list, or as a block of lines (an empty block is no rows).
  std::vector<std::string> Rows(const YAML::Node& node) {
    if (!node) Fail(file_, node, "missing key 'rows'");
    if (node.IsSequence()) return List(node);
    return SplitLines(Text(node));
  }

  NamedTexts Texts(const YAML::Node& node) {
    NamedTexts out;
    if (!node) return out;
    if (!node.IsMap()) Fail(file_, node, "expected a mapping of path: content");
    for (const auto& kv : node) out.emplace_back(kv.first.as<std::string>(), Text(kv.second));
    return out;
  }

  std::map<std::string, std::string> Env(const YAML::Node& node) {
    std::map<std::string, std::string> out;
    for (auto& [k, v] : Texts(node)) out[k] = v;
    return out;
  }

  std::vector<SqlAction> Sql(const YAML::Node& node) {
    std::vector<SqlAction> out;
    if (!node) return out;
    auto one = [&](const YAML::Node& n) {
      if (!n.IsMap()) Fail(file_, n, "sql: expected {db: FILE, run: STATEMENTS}");
      CheckKeys(n, {"db", "run"}, "sql");
      out.push_back({RequiredText(n, "db"), RequiredText(n, "run")});
    };
    if (node.IsSequence()) {
      for (const YAML::Node& n : node) one(n);
    } else {
      one(node);
    }
    return out;
  }

  Step ParseStep(const YAML::Node& node, bool is_case_root) {
    if (!node.IsMap()) Fail(file_, node, "a step is a mapping");
    if (!is_case_root) CheckKeys(node, StepKeys(), "step");
    Step s;
    s.where = file_ + ":" + std::to_string(node.Mark().line + 1);
    if (!is_case_root) {  // at the root these keys are the case's own
      s.files = Texts(node["files"]);
      s.env = Env(node["env"]);
      if (node["job"]) s.job = Text(node["job"]);
    }
    s.remove = List(node["remove"]);
    s.sql = Sql(node["sql"]);
    const int commands = (node["run"] ? 1 : 0) + (node["check"] ? 1 : 0) + (node["cmd"] ? 1 : 0);
    if (commands > 1) Fail(file_, node, "a step has one of run, check, cmd");
    if (node["cmd"]) {
      s.args = List(node["cmd"]);
    } else {
      s.args = {node["check"] ? "check" : "run", "job.yaml"};
      for (std::string& a : List(node["check"] ? node["check"] : node["run"])) {
        s.args.push_back(std::move(a));
      }
    }
    if (node["exit"]) s.exit = node["exit"].as<int>();
    if (node["error"]) s.error = Text(node["error"]);
    s.stdout_contains = List(node["stdout_contains"]);
    s.stdout_not_contains = List(node["stdout_not_contains"]);
    s.stderr_contains = List(node["stderr_contains"]);
    s.stderr_not_contains = List(node["stderr_not_contains"]);
    if (node["writes_nothing"]) s.writes_nothing = node["writes_nothing"].as<bool>();
    if (node["expect"]) s.expect = ParseExpect(node["expect"]);
    return s;
  }

  Expectations ParseExpect(const YAML::Node& node) {
    if (!node.IsMap()) Fail(file_, node, "expect: a mapping");
    CheckKeys(node, {"files", "unordered_files", "sqlite", "no_files", "exists"}, "expect");
    Expectations e;
    e.files = Texts(node["files"]);
    e.unordered_files = Texts(node["unordered_files"]);
    e.no_files = List(node["no_files"]);
    e.exists = List(node["exists"]);
    if (const YAML::Node q = node["sqlite"]) {
      if (!q.IsSequence()) Fail(file_, q, "expect.sqlite: a list of {db, query, rows}");
      for (const YAML::Node& n : q) {
        CheckKeys(n, {"db", "query", "rows"}, "expect.sqlite");
        e.sqlite.push_back({RequiredText(n, "db"), RequiredText(n, "query"), Rows(n["rows"])});
      }
    }
    return e;
  }

  std::string file_;
};

}  // namespace

std::expected<Case, std::string> LoadCase(const std::string& path,
                                          const Placeholders& placeholders) {
  auto text = ReadFile(path);
  if (!text) return std::unexpected(text.error());
  auto substituted = Substitute(*text, placeholders);
  if (!substituted) return std::unexpected(path + ": " + substituted.error());
  const std::string shown = fs::path(path).filename().string();
  try {
    return Parser(shown).ParseCase(YAML::Load(*substituted));
  } catch (const CaseError& e) {
    return std::unexpected(e.message);
  } catch (const YAML::Exception& e) {
    return std::unexpected(shown + ": " + e.what());
  }
}

std::vector<std::string> ListCaseFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".yaml") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string CaseName(const std::string& path) {
  std::string name = fs::path(path).stem().string();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

}  // namespace sluice::e2e
