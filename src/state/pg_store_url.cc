#include "state/pg_store_url.h"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>
#include <string_view>

#include "core/url_userinfo.h"

namespace sluice {
namespace {

constexpr std::string_view kUsage = "postgresql://USER:PASSWORD@HOST:PORT/DATABASE";

// The raw value of every `password=` query parameter of `url` (as written, not decoded).
std::vector<std::string> QueryPasswords(std::string_view url) {
  std::vector<std::string> out;
  const size_t query = url.find('?');
  if (query == std::string_view::npos) return out;
  std::string_view rest = url.substr(query + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view param = rest.substr(0, amp);
    if (param.starts_with("password=")) out.emplace_back(param.substr(9));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return out;
}

struct ConninfoFree {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};

}  // namespace

Result<PgStoreUrl> PgStoreUrl::Parse(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const std::string_view scheme = std::string_view(url).substr(0, scheme_end);
  if (scheme_end == std::string::npos || (scheme != "postgresql" && scheme != "postgres")) {
    return Err(Status::Invalid("state store '{}:...': not a PostgreSQL URL; write {}",
                               scheme.substr(0, scheme.find(':')), kUsage));
  }
  PgStoreUrl out;
  for (std::string& raw : QueryPasswords(url)) {
    if (std::optional<std::string> decoded = PercentDecode(raw)) out.secrets_.push_back(*decoded);
    out.secrets_.push_back(std::move(raw));
  }
  const std::string_view rest = std::string_view(url).substr(scheme_end + 3);
  const std::optional<size_t> at = FindUserInfoEnd(rest);
  out.conninfo_ = url;
  if (at) {
    const std::string_view userinfo = rest.substr(0, *at);
    const size_t colon = userinfo.find(':');
    const std::optional<std::string> user = PercentDecode(userinfo.substr(0, colon));
    std::optional<std::string> password;
    if (colon != std::string_view::npos) {
      const std::string_view raw = userinfo.substr(colon + 1);
      out.secrets_.emplace_back(raw);
      password = PercentDecode(raw);
      if (!password) {
        return Err(Status::Invalid(
            "state store {}://...: bad percent-escape in the password of its URL (a '%' starts "
            "%XX; write a literal '%' as %25)",
            scheme));
      }
      out.secrets_.push_back(*password);
      out.secrets_.push_back(PercentEncode(*password));
    }
    if (!user) {
      return Err(Status::Invalid("state store {}://...: bad percent-escape in the user of its URL",
                                 scheme));
    }
    std::string encoded = std::string(scheme) + "://" + PercentEncode(*user);
    if (password) encoded += ":" + PercentEncode(*password);
    out.conninfo_ = encoded + std::string(rest.substr(*at));
  }

  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoFree> options(
      PQconninfoParse(out.conninfo_.c_str(), &error));
  if (!options) {
    std::string why = error != nullptr ? error : "not a URL libpq understands";
    if (error != nullptr) PQfreemem(error);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    out.SortSecrets();
    return Err(Status::Invalid("state store {}://...: invalid URL: {}", scheme, out.Scrub(why)));
  }
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view key = o->keyword;
    if (key == "host" || (key == "hostaddr" && out.host_.empty())) out.host_ = o->val;
    if (key == "port") out.port_ = o->val;
    if (key == "dbname") out.dbname_ = o->val;
    if (key == "user") out.user_ = o->val;
    if (key == "password") out.secrets_.emplace_back(o->val);
  }
  out.SortSecrets();
  return out;
}

void PgStoreUrl::SortSecrets() {
  std::erase_if(secrets_, [](const std::string& s) { return s.empty(); });
  // Longest first, so that no part of a longer form is left after a shorter one is replaced.
  std::ranges::sort(secrets_,
                    [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void PgStoreUrl::SetConnected(std::string user, std::string host, std::string port,
                              std::string dbname) {
  user_ = std::move(user);
  host_ = std::move(host);
  port_ = std::move(port);
  dbname_ = std::move(dbname);
}

std::string PgStoreUrl::Describe() const {
  std::string out = "postgresql://";
  if (!user_.empty()) out += user_ + "@";
  out += host_.empty() ? "localhost" : host_;
  out += ":" + (port_.empty() ? std::string("5432") : port_);
  if (!dbname_.empty()) out += "/" + dbname_;
  return Scrub(std::move(out));  // a user name that is the password is still not shown
}

std::string PgStoreUrl::Scrub(std::string text) const {
  for (const std::string& secret : secrets_) {
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

}  // namespace sluice
