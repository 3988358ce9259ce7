#include "pierre/rest/request_auth.hpp"

#include <algorithm>
#include <boost/beast/http/field.hpp>

namespace pierre::rest {

Result<auth::Identity> authenticate(const http::Request& request, const auth::TokenService& tokens) {
  std::string_view header = request[boost::beast::http::field::authorization];
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  constexpr std::string_view scheme = "bearer ";
  const bool bearer =
      header.size() > scheme.size() && std::equal(scheme.begin(), scheme.end(), header.begin(), [](char a, char b) {
        return a == static_cast<char>(std::tolower(static_cast<unsigned char>(b)));
      });
  if (!bearer) {
    return fail(ErrorCode::auth_required, "authentication required: send Authorization: Bearer <jwt_token>");
  }
  auto token = header.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return tokens.verify(token);
}

Result<void> require_role(const auth::Identity& identity, std::initializer_list<std::string_view> roles) {
  if (std::find(roles.begin(), roles.end(), std::string_view(identity.role)) != roles.end()) return {};
  return fail(ErrorCode::permission_denied, "this operation requires an administrator");
}

}  // namespace pierre::rest
