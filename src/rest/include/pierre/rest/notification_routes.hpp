#pragma once
// Live notifications over Server-Sent Events:
//   GET  /notifications/sse[?user_id=ME][&token=STREAM_TOKEN]
//        The caller's own events as text/event-stream (oauth_complete, oauth_error, sync_progress, sync_complete,
//        sync_error, system_status, a2a_message… — any type published for the user), each with an `id:`; keep-alive
//        comments while idle; `Last-Event-ID: N` replays the buffered events after N (see notify::Broker).
//        Credentials: Authorization: Bearer <jwt> / X-API-Key as everywhere, or `token=` from the route below (for
//        EventSource, which cannot set headers). 401 without either; `user_id` (Pierre's form) other than the
//        caller's own → 403 PERMISSION_DENIED, never someone else's feed; too many streams → 429 / 503.
//   POST /api/notifications/stream-token
//        → {token, expires_at (ISO-8601 UTC), expires_in (s)}: a signed, single-use token valid 60 s that opens one
//        stream of the caller's events. Never logged.

#include "pierre/http/router.hpp"
#include "pierre/notify/broker.hpp"
#include "pierre/notify/stream_tokens.hpp"

namespace pierre::rest {

// `broker` and `tokens` must outlive the router.
void register_notification_routes(http::Router& router, notify::Broker& broker, notify::StreamTokens& tokens);

}  // namespace pierre::rest
