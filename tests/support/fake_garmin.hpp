#pragma once
// A fake Garmin Connect Developer Program on one loopback server (make_fake_garmin() in fake_provider.hpp gives it as
// a FakeProvider; FakeGarmin::start() gives the Garmin-specific extras). base_url() serves as both
// GARMIN_API_BASE_URL and GARMIN_OAUTH_BASE_URL: the OAuth endpoints sit at their real paths.
//
//   GET    /oauth2Confirm?client_id&response_type=code&redirect_uri&code_challenge&code_challenge_method=S256&state
//          → 302 to redirect_uri?code=…&state=… (approves at once; 400 for a wrong client, no S256 challenge)
//   POST   /di-oauth2-service/oauth/token  form: grant_type=authorization_code (client_id, client_secret, code,
//          code_verifier checked against the S256 challenge, redirect_uri) | refresh_token (rotated on every use)
//          → {access_token, token_type, refresh_token, expires_in, refresh_token_expires_in, scope, jti};
//          401 invalid_client, 400 invalid_grant / invalid_request / unsupported_grant_type
//   GET    /wellness-api/rest/user/id → {"userId": "…"}
//   DELETE /wellness-api/rest/user/registration → 204; the grant's tokens stop working
//   GET    /wellness-api/rest/activities?uploadStartTimeInSeconds&uploadEndTimeInSeconds → summaries uploaded in
//          [start, end); 400 {"errorMessage"} when a bound is missing or the range exceeds 86 400 s (as Garmin)
//   GET    /wellness-api/rest/activityFile?id=<activityId> → the activity's FIT file (application/octet-stream)
//   GET    /wellness-api/rest/activityFile?id=<fileId>&token=<pull token> → the same, through the callbackURL of an
//          activityFiles ping (activity_files_ping()): the pull token serves one download; 401 after that or for an
//          unknown token, as Garmin's one-time URLs
//
// Every wellness-api request needs a valid bearer token (401 otherwise) and is subject to fail_next(). Activities
// are uploaded durationInSeconds + 5 minutes after they start. Their FIT files are real recordings of the same sport
// read at run time from the shared samples ($PIERRE_SAMPLES_DIR, else ../shared/samples beside the repository):
// their times and totals are the recording's own, not the summary's; a file that cannot be read answers 404.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fake_provider.hpp"

namespace pierre::testing {

class FakeGarmin : public FakeProvider {
 public:
  static std::unique_ptr<FakeGarmin> start();

  // The Garmin user id of the one account this fake serves.
  [[nodiscard]] virtual std::string user_id() const = 0;
  // The summary exactly as the activities endpoint serves it (null for an unknown activityId).
  [[nodiscard]] virtual nlohmann::json summary(std::string_view activity_id) const = 0;
  // The shared sample file served as this activity's FIT file ("" for an unknown activityId).
  [[nodiscard]] virtual std::string file_name(std::string_view activity_id) const = 0;
  // The body Garmin POSTs to the partner's activityFiles endpoint for this activity: {"activityFiles": [{userId,
  // summaryId, activityId, fileType: "FIT", callbackURL, startTimeInSeconds}]} with a fresh one-time callbackURL.
  [[nodiscard]] virtual nlohmann::json activity_files_ping(std::string_view activity_id) = 0;
  // False once the user was deregistered through DELETE /wellness-api/rest/user/registration.
  [[nodiscard]] virtual bool registered() const = 0;
};

}  // namespace pierre::testing
