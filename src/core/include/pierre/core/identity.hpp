#pragma once
// Who a request acts as. Defined in core (not auth) because the HTTP layer carries it from the authentication
// middleware to every handler (http::RequestContext::auth) without depending on how it was established.

#include <string>
#include <vector>

namespace pierre {

struct Identity {
  std::string user_id;
  std::string tenant_id;
  std::string role;  // "super_admin" | "admin" | "user"
  std::vector<std::string> scopes;

  friend bool operator==(const Identity&, const Identity&) = default;
};

// An authenticated request: the identity and the credential that proved it.
struct Authentication {
  enum class Method { jwt, api_key };
  Identity identity;
  Method method = Method::jwt;
  std::string api_key_id;  // set when method == api_key
  std::string client_id;   // OAuth access tokens: the client they were issued to
  std::string grant_id;    // OAuth access tokens: the authorization (grant) they belong to
};

}  // namespace pierre
