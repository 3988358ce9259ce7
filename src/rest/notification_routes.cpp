#include "pierre/rest/notification_routes.hpp"

#include <boost/beast/http/field.hpp>
#include <charconv>

#include "pierre/core/time.hpp"
#include "pierre/http/errors.hpp"
#include "pierre/rest/request_auth.hpp"
#include "support.hpp"

namespace pierre::rest {
namespace {

namespace field = boost::beast::http;

// Last-Event-ID (WHATWG HTML §9.2: the header a reconnecting EventSource sends) as one of our ids; nullopt when
// absent. An id we never issue (not a decimal number) is INVALID_INPUT rather than a silent full replay.
Result<std::optional<std::uint64_t>> last_event_id(const http::Request& req) {
  const auto text = req["Last-Event-ID"];
  if (text.empty()) return std::optional<std::uint64_t>{};
  std::uint64_t id = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || ptr != text.data() + text.size()) {
    return fail(ErrorCode::invalid_input, "Last-Event-ID must be an event id this server sent",
                {{"field", "Last-Event-ID"}});
  }
  return std::optional<std::uint64_t>{id};
}

// Who the stream is for: a stream token from the query (EventSource), else the request's own credentials.
Result<notify::StreamOwner> stream_owner(const detail::QueryParams& query, const http::RequestContext& ctx,
                                         notify::StreamTokens& tokens) {
  if (const auto token = query.find("token"); token != query.end()) return tokens.redeem(token->second);
  auto identity = caller(ctx);
  if (!identity) return std::unexpected(identity.error());
  return notify::StreamOwner{identity->tenant_id, identity->user_id};
}

http::Response open_stream(const http::Request& req, http::RequestContext& ctx, notify::Broker& broker,
                           notify::StreamTokens& tokens) {
  const auto query = detail::query_params(req.target());
  // Pierre's `?user_id=` form is accepted only as a statement of who the caller already is: it never selects a feed.
  const auto requested_user = query.find("user_id");
  auto owner = stream_owner(query, ctx, tokens);
  if (!owner) return http::error_response(owner.error(), req, ctx);
  if (requested_user != query.end() && requested_user->second != owner->user_id) {
    return http::error_response(
        Error{ErrorCode::permission_denied, "user_id must be your own: streams carry only the caller's events"}, req,
        ctx);
  }
  const auto resume_after = last_event_id(req);
  if (!resume_after) return http::error_response(resume_after.error(), req, ctx);

  auto stream = ctx.open_stream();
  if (auto attached = broker.attach(stream, *owner, *resume_after); !attached) {
    ctx.stream.reset();  // answered as an ordinary error response, not a stream
    auto res = http::error_response(attached.error(), req, ctx);
    res.set(field::field::retry_after, "5");
    return res;
  }
  return detail::event_stream_head(req);
}

http::Response issue_stream_token(const http::Request& req, http::RequestContext& ctx, notify::StreamTokens& tokens) {
  auto identity = caller(ctx);
  if (!identity) return http::error_response(identity.error(), req, ctx);
  const auto issued = tokens.issue({identity->tenant_id, identity->user_id});
  const auto expires_in = (issued.expires_at_ms - now_epoch_ms() + 999) / 1000;
  auto res = http::json_response(http::Status::ok,
                                 {{"token", issued.token},
                                  {"expires_at", iso8601_ms(issued.expires_at_ms)},
                                  {"expires_in", std::max<std::int64_t>(expires_in, 0)}},
                                 req);
  res.set(field::field::cache_control, "no-store");
  return res;
}

}  // namespace

void register_notification_routes(http::Router& router, notify::Broker& broker, notify::StreamTokens& tokens) {
  router.add(
      http::Method::get, "/notifications/sse",
      [&broker, &tokens](const http::Request& req, http::RequestContext& ctx) {
        return open_stream(req, ctx, broker, tokens);
      },
      "the caller's live events (Server-Sent Events)");
  router.add(
      http::Method::post, "/api/notifications/stream-token",
      [&tokens](const http::Request& req, http::RequestContext& ctx) { return issue_stream_token(req, ctx, tokens); },
      "a 60 s single-use token that opens one notification stream (EventSource)");
}

}  // namespace pierre::rest
