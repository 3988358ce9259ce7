#pragma once
// Server-rendered HTML for the authorization endpoint (module-internal): the sign-in + consent page and the error
// page. Self-contained documents (inline CSS, no scripts, no external assets); every value shown is HTML-escaped.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pierre::oauth2::pages {

struct ConsentView {
  std::string client_name;  // may be empty: the client id is shown instead
  std::string client_id;
  std::string redirect_host;  // where the browser will be sent ("localhost:3000", "claude.ai", "cursor:")
  std::vector<std::string> scopes;
  std::optional<std::string> signed_in_as;  // email; the password fields are left out
  std::string email;                        // prefilled after a failed attempt
  std::string request;                      // the original authorization query
  std::string csrf_token;
  std::string error;  // shown above the form when not empty
};

std::string consent(const ConsentView& view);

// A page that never redirects: the request could not be trusted enough to send the browser anywhere.
std::string error(std::string_view title, std::string_view message);

}  // namespace pierre::oauth2::pages
