#pragma once
// API key management for the signed-in user (Pierre's paths and shapes):
//   POST   /api/keys             {name, tier, description?, expires_in_days?} → 201 {api_key, key_info, warning}
//   GET    /api/keys             → {api_keys: [key_info + usage]}
//   DELETE /api/keys/{id}        → {message, deactivated_at}
//   GET    /api/keys/{id}/usage  → {api_key_id, period, requests, limits, remaining}
// Keys are managed with a JWT session only: a request authenticated by an API key gets 403 here, so a leaked key
// cannot mint or revoke keys. Other users' keys are 404, like ids that do not exist.

#include "pierre/auth/api_key_service.hpp"
#include "pierre/http/router.hpp"

namespace pierre::rest {

void register_api_key_routes(http::Router& router, auth::ApiKeyService& api_keys);

}  // namespace pierre::rest
