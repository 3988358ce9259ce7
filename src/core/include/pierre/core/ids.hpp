#pragma once
#include <string>

namespace pierre::ids {

// A request id for correlation in logs and error bodies: 16 hex chars, unique per process run with overwhelming
// probability. Not a secret, so it does not need a CSPRNG.
std::string new_request_id();

// Accepts a client-supplied X-Request-Id only when it is short and made of safe characters, so it can be echoed
// into logs and headers without injection.
bool is_acceptable_request_id(std::string_view candidate) noexcept;

}  // namespace pierre::ids
