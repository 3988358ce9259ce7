#pragma once
// PII and secret redaction for anything that may reach a log. Every log line passes through text() (the logger
// installs it), so handlers cannot forget. Masks keep lines useful for debugging while carrying nothing sensitive:
//   emails                          → [email]
//   Bearer/Basic credentials        → Bearer [redacted]
//   JWTs (eyJ….….…)                 → [jwt]
//   API keys (pk_live_…, pk_test_…)  → [api-key]
//   secrets in key=value, key: value and "key":"value" form (password, secret, client_secret, token,
//   access_token, refresh_token, id_token, api_key, x-api-key, authorization, cookie, and OAuth `code=` in
//   query strings/forms)          → key=[redacted]
//   GPS coordinates ("45.5231, -122.6765", lat=…/lng=…, "latitude": …) → [coordinates] / key=[redacted]
// Not masked, by choice: IP addresses (needed to investigate abuse), timestamps, durations, ids, versions, and the
// JSON key "code" (our error bodies use it for stable error codes; OAuth codes travel in query strings/forms).
// Safe on any input; never throws; output is at most a small constant factor larger than the input.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pierre::redact {

std::string text(std::string_view input);

// Deep copy with values under sensitive keys replaced by "[redacted]" (case-insensitive, at any depth) and every
// other string passed through text().
nlohmann::json json(const nlohmann::json& value);

}  // namespace pierre::redact
