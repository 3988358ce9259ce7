#pragma once
// The OAuth redirect target of a native app (RFC 8252 §7.3): a one-shot HTTP listener on 127.0.0.1 that waits for
// the browser to come back with `?code=…&state=…&iss=…` (or `?error=…`) and shows a page saying the window can close.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "pierre/core/error.hpp"

namespace pierre::mcp_client {

struct RedirectParams {
  std::string code;
  std::string state;
  std::string iss;
  std::string error;
  std::string error_description;
};

class LoopbackRedirect {
 public:
  // Binds 127.0.0.1:port (0 = any free port) now, so the redirect URI is known before the browser opens.
  static Result<LoopbackRedirect> listen(int port);
  ~LoopbackRedirect();
  LoopbackRedirect(LoopbackRedirect&&) noexcept;
  LoopbackRedirect& operator=(LoopbackRedirect&&) noexcept;

  // http://127.0.0.1:<port>/callback
  [[nodiscard]] const std::string& redirect_uri() const noexcept;
  // The first GET /callback carrying code or error; other requests (favicon…) get 404 and waiting goes on.
  // request_timeout when nobody comes back in time; resource_unavailable as soon as `abandoned` turns true.
  Result<RedirectParams> wait(std::chrono::seconds timeout, const std::atomic<bool>* abandoned = nullptr);

 private:
  struct State;
  explicit LoopbackRedirect(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace pierre::mcp_client
