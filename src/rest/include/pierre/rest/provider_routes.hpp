#pragma once
// Fitness-provider connections over REST (the caller's own; JWT or API key unless marked public):
//   GET    /api/providers                          → {providers:[{provider, configured, connected, status,
//   last_sync_at,
//                                                    activities_synced, rate_limit, last_sync_error…}],
//                                                    connected_count}
//   POST   /api/providers/{provider}/connect       → {provider, authorization_url, expires_at}: open the URL in a
//                                                    browser; the provider sends it back to the callback below
//   POST   /api/providers/{provider}/sync          → 202 {provider, status:"queued"} (a run in the background)
//   DELETE /api/providers/{provider}[?delete_data=true] → {provider, disconnected, revoked_at_provider,
//                                                    activities_deleted, data}
//   GET    /admin/connections[?tenant_id=ID]       administrators: {connections:[{tenant_id, user_id, provider, status,
//                                                    last_sync_at, last_sync_error, activities_synced…}]} of every
//                                                    user who has a connection in force — an admin's tenant, every
//                                                    tenant for the super-admin (or the one named; others → 403)
//   GET    /oauth/callback/{provider}?code&state   public: verifies the single-use state, exchanges the code, stores
//                                                    the tokens encrypted, starts the first sync, publishes
//                                                    oauth_complete (oauth_error when the user refused); a small HTML
//                                                    page either way
//   GET    /api/webhooks/strava?hub.mode&hub.challenge&hub.verify_token   public: Strava's subscription validation
//                                                    echo ({"hub.challenge": …}) when the token is
//                                                    STRAVA_WEBHOOK_VERIFY_TOKEN, else 403
//   POST   /api/webhooks/strava                    public: a Strava push event; 200 at once, the one activity synced
//                                                    in the background (create/update), deleted (delete), or the
//                                                    connection synced at once (athlete deauthorisation: a grant
//                                                    Strava really revoked ends in needs_reauth)
//                                                    (events of another subscription → 403 when
//                                                    STRAVA_WEBHOOK_SUBSCRIPTION_ID is set)
//   POST   /api/webhooks/garmin                    public: a Garmin ping/push; 200 at once, then in the background:
//                                                    activityFiles → the file fetched through its callbackURL (only
//                                                    on GARMIN_API_BASE_URL); deregistrations → a sync now (a
//                                                    grant Garmin really revoked ends in needs_reauth);
//                                                    other summary types → an incremental sync of each named user
//   POST   /api/webhooks/fitbit                    Google Health webhooks; Authorization must be
//                                                    FITBIT_WEBHOOK_SECRET (else 401): {"type":"verification"} → 201;
//                                                    notifications → 204, an `exercise` change syncs that user

#include <string>

#include "pierre/auth/user_service.hpp"
#include "pierre/core/events.hpp"
#include "pierre/http/router.hpp"
#include "pierre/providers/connections.hpp"
#include "pierre/providers/sync.hpp"

namespace pierre::rest {

struct ProviderRoutes {
  providers::Connections& connections;
  providers::SyncEngine& sync;
  events::Hub& events;
  std::string strava_webhook_verify_token;     // empty: subscription validation is refused
  std::string strava_webhook_subscription_id;  // empty: events are not checked against it
  std::string fitbit_webhook_secret;           // empty: Google Health notifications are refused
  auth::UserService* users = nullptr;          // for the administrators' view; null: /admin/connections is absent
};

// Everything referenced must outlive the router.
void register_provider_routes(http::Router& router, ProviderRoutes routes);

}  // namespace pierre::rest
