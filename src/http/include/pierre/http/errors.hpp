#pragma once
// The one table that turns an Error into an HTTP status, and the JSON error body every endpoint uses:
//   {"error":{"code":"RESOURCE_NOT_FOUND","message":"…","request_id":"…"[,"details":{…}]}}

#include <string>
#include <string_view>

#include "pierre/core/error.hpp"
#include "pierre/http/types.hpp"

namespace pierre::http {

Status status_for(ErrorCode code) noexcept;

Response error_response(const Error& error, const Request& request, const RequestContext& context);

// For failures found before a request was fully parsed (no Request to mirror version/keep-alive from).
Response error_response(const Error& error, const RequestContext& context, unsigned http_version = 11);

Response json_response(Status status, const nlohmann::json& body, const Request& request);

// Text for server-rendered HTML pages (OAuth consent, provider callback): & < > " ' → entities.
std::string html_escape(std::string_view text);

}  // namespace pierre::http
