#include "fake_garmin.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "fake_http_server.hpp"

namespace pierre::testing {
namespace {

using nlohmann::json;

constexpr std::string_view kAuthorizePath = "/oauth2Confirm";
constexpr std::string_view kTokenPath = "/di-oauth2-service/oauth/token";
constexpr std::string_view kUserIdPath = "/wellness-api/rest/user/id";
constexpr std::string_view kRegistrationPath = "/wellness-api/rest/user/registration";
constexpr std::string_view kActivitiesPath = "/wellness-api/rest/activities";
constexpr std::string_view kActivityFilePath = "/wellness-api/rest/activityFile";
constexpr std::string_view kUserId = "fake-garmin-user-7f3c2a";
constexpr std::int64_t kMaxWindowS = 86'400;
constexpr std::int64_t kUploadLagS = 300;
constexpr std::int64_t kSeedSpacingMs = 20LL * 3600 * 1000;
constexpr std::int64_t kFirstActivityId = 21'000'000'000;
constexpr std::chrono::milliseconds kSlow{6000};  // beyond the outbound client's 5 s total timeout

// The sports the seeds cycle through, each with a real recording of that sport from the shared samples.
struct GarminKind {
  const char* activity_type;
  const char* file;
  const char* device;
  double speed_mps;
  double cadence;  // steps/min for runs and walks, rpm for rides, strokes/min for swims
  const char* cadence_field;
};
constexpr std::array<GarminKind, 6> kGarminKinds{{
    {"RUNNING", "garmin-fenix-5-run.fit", "fenix 5", 3.1, 168, "averageRunCadenceInStepsPerMinute"},
    {"ROAD_BIKING", "garmin-edge-820-bike.fit", "Edge 820", 8.2, 88, "averageBikeCadenceInRoundsPerMinute"},
    {"WALKING", "garmin-fenix-5-walk.fit", "fenix 5", 1.4, 112, "averageRunCadenceInStepsPerMinute"},
    {"CYCLING", "garmin-fenix-5-bike.fit", "fenix 5", 7.4, 84, "averageBikeCadenceInRoundsPerMinute"},
    {"TRAIL_RUNNING", "activity-small-fenix2-run.fit", "fenix 2", 2.6, 160, "averageRunCadenceInStepsPerMinute"},
    {"LAP_SWIMMING", "garmin-fr935-cr.fit", "Forerunner 935", 0.9, 28, "averageSwimCadenceInStrokesPerMinute"},
}};

std::filesystem::path samples_dir() {
  if (const char* env = std::getenv("PIERRE_SAMPLES_DIR"); env != nullptr && *env != '\0') return env;
  return PIERRE_SAMPLES_DIR;  // ../shared/samples beside the repository (tests/CMakeLists.txt)
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::optional<std::int64_t> garmin_integer(std::string_view text) {
  if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::stoll(std::string(text));
}

FakeResponse garmin_error(int status, std::string_view message) {
  return FakeResponse::json(status, json{{"errorMessage", message}}.dump());
}

FakeResponse oauth_error(int status, std::string_view error) {
  return FakeResponse::json(status, json{{"error", error}}.dump());
}

class FakeGarminImpl final : public FakeGarmin {
 public:
  FakeGarminImpl() : server_([this](const FakeRequest& request) { return handle(request); }) {}

  [[nodiscard]] std::string name() const override { return "garmin"; }
  [[nodiscard]] std::string base_url() const override { return server_.base_url(); }

  void seed_activities(int count, std::int64_t newest_start_ms) override {
    const std::lock_guard lock(mutex_);
    activities_.clear();
    next_index_ = 0;
    for (int i = 0; i < count; ++i) add_locked(newest_start_ms - i * kSeedSpacingMs);
  }

  std::string add_activity(std::int64_t start_ms) override {
    const std::lock_guard lock(mutex_);
    return add_locked(start_ms);
  }

  [[nodiscard]] int activity_count() const override {
    const std::lock_guard lock(mutex_);
    return static_cast<int>(activities_.size());
  }

  void expire_access_tokens() override { oauth_.expire_access_tokens(); }
  void revoke_refresh_tokens() override { oauth_.revoke_refresh_tokens(); }
  void fail_next(FakeFault fault, int times) override { faults_.push(fault, times); }
  void set_token_lifetime_s(std::int64_t seconds) override { oauth_.set_lifetime_s(seconds); }
  void set_token_delay_ms(int ms) override {
    const std::lock_guard lock(mutex_);
    token_delay_ = std::chrono::milliseconds(ms);
  }

  [[nodiscard]] FakeProviderStats stats() const override {
    const std::lock_guard lock(mutex_);
    return stats_;
  }
  [[nodiscard]] std::vector<std::string> targets() const override {
    const std::lock_guard lock(mutex_);
    return targets_;
  }

  [[nodiscard]] std::string user_id() const override { return std::string(kUserId); }
  [[nodiscard]] json summary(std::string_view activity_id) const override {
    const std::lock_guard lock(mutex_);
    const auto it = activities_.find(activity_id);
    return it == activities_.end() ? json() : it->second.summary;
  }
  [[nodiscard]] std::string file_name(std::string_view activity_id) const override {
    const std::lock_guard lock(mutex_);
    const auto it = activities_.find(activity_id);
    return it == activities_.end() ? std::string() : it->second.file;
  }
  [[nodiscard]] json activity_files_ping(std::string_view activity_id) override {
    const std::lock_guard lock(mutex_);
    const auto it = activities_.find(activity_id);
    if (it == activities_.end()) return json();
    const auto file_id = fmt::format("{}", 90'000'000'000 + ++pulls_issued_);
    const auto token = fmt::format("pull{:08x}", 0x5eed1234U + static_cast<unsigned>(pulls_issued_));
    pull_tokens_[token] = {file_id, std::string(activity_id)};
    return json{
        {"activityFiles", json::array({json{{"userId", kUserId},
                                            {"summaryId", fmt::format("{}-file", activity_id)},
                                            {"activityId", std::stoll(std::string(activity_id))},
                                            {"fileType", "FIT"},
                                            {"startTimeInSeconds", it->second.summary["startTimeInSeconds"]},
                                            {"callbackURL", fmt::format("{}{}?id={}&token={}", server_.base_url(),
                                                                        kActivityFilePath, file_id, token)}}})}};
  }
  [[nodiscard]] bool registered() const override {
    const std::lock_guard lock(mutex_);
    return registered_;
  }

 private:
  struct Stored {
    json summary;
    std::string file;
    std::int64_t upload_s = 0;
  };

  // A deterministic summary in Garmin's shape; the kind, durations and values follow the running index.
  std::string add_locked(std::int64_t start_ms) {
    const int index = next_index_++;
    const GarminKind& kind = kGarminKinds[static_cast<std::size_t>(index) % kGarminKinds.size()];
    const std::int64_t activity_id = kFirstActivityId + index;
    const std::int64_t start_s = start_ms / 1000;
    const std::int64_t duration_s = 1800 + 420 * (index % 5);
    const double distance = kind.speed_mps * static_cast<double>(duration_s);
    json s = {
        {"summaryId", std::to_string(activity_id)},
        {"activityId", activity_id},
        {"activityName", fmt::format("Fake {} {}", kind.activity_type, index)},
        {"activityType", kind.activity_type},
        {"startTimeInSeconds", start_s},
        {"startTimeOffsetInSeconds", index % 2 == 0 ? 3600 : -18000},
        {"durationInSeconds", duration_s},
        {"distanceInMeters", distance},
        {"averageSpeedInMetersPerSecond", kind.speed_mps},
        {"maxSpeedInMetersPerSecond", kind.speed_mps * 1.4},
        {"averageHeartRateInBeatsPerMinute", 128 + index % 20},
        {"maxHeartRateInBeatsPerMinute", 162 + index % 20},
        {"activeKilocalories", 300 + 40 * (index % 7)},
        {kind.cadence_field, kind.cadence},
        {"deviceName", kind.device},
        {"manual", false},
    };
    if (std::string_view(kind.activity_type) != "LAP_SWIMMING") {
      s["totalElevationGainInMeters"] = 40.0 + 5 * (index % 9);
      s["totalElevationLossInMeters"] = 38.0 + 5 * (index % 9);
    }
    const auto id = std::to_string(activity_id);
    activities_[id] = Stored{std::move(s), kind.file, start_s + duration_s + kUploadLagS};
    return id;
  }

  FakeResponse handle(const FakeRequest& request) {
    {
      const std::lock_guard lock(mutex_);
      targets_.push_back(request.method + " " + request.target);
    }
    if (request.path == kAuthorizePath && request.method == "GET") return authorize(request);
    if (request.path == kTokenPath && request.method == "POST") return token(request);
    if (request.path.starts_with("/wellness-api/")) return api(request);
    return garmin_error(404, "Not Found");
  }

  FakeResponse authorize(const FakeRequest& request) {
    const auto param = [&](std::string_view name) {
      const auto it = request.query.find(name);
      return it == request.query.end() ? std::string() : it->second;
    };
    const auto redirect = param("redirect_uri");
    if (param("client_id") != kClientId || param("response_type") != "code" || redirect.empty() ||
        param("code_challenge").empty() || param("code_challenge_method") != "S256") {
      return FakeResponse::text(400, "invalid authorization request");
    }
    const auto code = oauth_.issue_code(redirect, param("code_challenge"), "");
    auto location =
        fmt::format("{}{}code={}", redirect, redirect.find('?') == std::string::npos ? '?' : '&', percent_encode(code));
    if (const auto it = request.query.find("state"); it != request.query.end()) {
      location += "&state=" + percent_encode(it->second);
    }
    {
      const std::lock_guard lock(mutex_);
      ++stats_.authorizations;
    }
    auto response = FakeResponse::text(302, "");
    response.headers.emplace_back("Location", std::move(location));
    return response;
  }

  FakeResponse token(const FakeRequest& request) {
    auto response = token_answer(request.form());
    const std::lock_guard lock(mutex_);
    response.delay = token_delay_;
    return response;
  }

  FakeResponse token_answer(const std::map<std::string, std::string, std::less<>>& form) {
    const auto field = [&](std::string_view name) {
      const auto it = form.find(name);
      return it == form.end() ? std::string() : it->second;
    };
    const auto grant = field("grant_type");
    if (grant == "refresh_token") {
      const std::lock_guard lock(mutex_);
      ++stats_.refreshes;
    }
    if (field("client_id") != kClientId || field("client_secret") != kClientSecret) {
      return oauth_error(401, "invalid_client");
    }
    std::optional<FakeOAuth::Issued> issued;
    if (grant == "authorization_code") {
      if (field("code").empty() || field("code_verifier").empty()) return oauth_error(400, "invalid_request");
      issued = oauth_.exchange(field("code"), field("redirect_uri"), field("code_verifier"));
      if (issued) {
        const std::lock_guard lock(mutex_);
        ++stats_.code_exchanges;
        registered_ = true;
      }
    } else if (grant == "refresh_token") {
      issued = oauth_.refresh(field("refresh_token"), /*rotate=*/true);
    } else {
      return oauth_error(400, "unsupported_grant_type");
    }
    if (!issued) return oauth_error(400, "invalid_grant");
    return FakeResponse::json(200,
                              json{
                                  {"access_token", issued->access_token},
                                  {"token_type", "bearer"},
                                  {"refresh_token", issued->refresh_token},
                                  {"expires_in", issued->expires_in_s},
                                  {"refresh_token_expires_in", 7'775'999},
                                  {"scope", "PARTNER_WRITE PARTNER_READ CONNECT_READ CONNECT_WRITE"},
                                  {"jti", fmt::format("jti-{}", issued->access_token)},
                              }
                                  .dump());
  }

  FakeResponse api(const FakeRequest& request) {
    const bool list = request.path == kActivitiesPath;
    const bool file = request.path == kActivityFilePath;
    {
      const std::lock_guard lock(mutex_);
      ++stats_.api_calls;
      if (list) ++stats_.activity_list_calls;
      if (file) ++stats_.activity_detail_calls;
    }
    std::chrono::milliseconds delay{0};
    switch (faults_.next()) {
      case FakeFault::none: break;
      case FakeFault::unauthorized: return garmin_error(401, "Unauthorized");
      case FakeFault::rate_limited: {
        auto response = garmin_error(429, "Rate limit exceeded");
        // Garmin's documentation promises no Retry-After; sent so the client's handling of one is exercised.
        response.headers.emplace_back("Retry-After", "60");
        return response;
      }
      case FakeFault::server_error: return garmin_error(503, "Service Unavailable");
      case FakeFault::malformed_json: return FakeResponse::json(200, "<html><body>maintenance");
      case FakeFault::wrong_shape: return FakeResponse::json(200, R"({"activities":{"unexpected":true}})");
      case FakeFault::slow: delay = kSlow; break;
    }
    if (!oauth_.valid(request.bearer_token())) return garmin_error(401, "Unauthorized");

    FakeResponse response;
    if (request.path == kUserIdPath && request.method == "GET") {
      response = FakeResponse::json(200, json{{"userId", kUserId}}.dump());
    } else if (request.path == kRegistrationPath && request.method == "DELETE") {
      oauth_.revoke(request.bearer_token());
      const std::lock_guard lock(mutex_);
      ++stats_.revocations;
      registered_ = false;
      response = FakeResponse::text(204, "");
    } else if (list && request.method == "GET") {
      response = activities(request);
    } else if (file && request.method == "GET") {
      response = activity_file(request);
    } else {
      response = garmin_error(404, "Not Found");
    }
    response.delay = delay;
    return response;
  }

  FakeResponse activities(const FakeRequest& request) {
    const auto bound = [&](std::string_view name) -> std::optional<std::int64_t> {
      const auto it = request.query.find(name);
      return it == request.query.end() ? std::nullopt : garmin_integer(it->second);
    };
    const auto start = bound("uploadStartTimeInSeconds");
    const auto end = bound("uploadEndTimeInSeconds");
    if (!start || !end) return garmin_error(400, "uploadStartTimeInSeconds and uploadEndTimeInSeconds are required");
    if (*end < *start || *end - *start > kMaxWindowS) {
      return garmin_error(400, "The time range must not exceed 86400 seconds");
    }
    json out = json::array();
    const std::lock_guard lock(mutex_);
    std::vector<const Stored*> hits;
    for (const auto& [id, stored] : activities_) {
      if (stored.upload_s >= *start && stored.upload_s < *end) hits.push_back(&stored);
    }
    std::sort(hits.begin(), hits.end(), [](const Stored* a, const Stored* b) { return a->upload_s < b->upload_s; });
    for (const auto* stored : hits) out.push_back(stored->summary);
    return FakeResponse::json(200, out.dump());
  }

  FakeResponse activity_file(const FakeRequest& request) {
    const auto id = request.query.find("id");
    if (id == request.query.end()) return garmin_error(400, "id is required");
    std::string name;
    {
      const std::lock_guard lock(mutex_);
      std::string activity_id = id->second;
      if (const auto token = request.query.find("token"); token != request.query.end()) {
        const auto pull = pull_tokens_.find(token->second);
        if (pull == pull_tokens_.end() || pull->second.first != id->second) {
          return garmin_error(401, "Invalid or used pull token");
        }
        activity_id = pull->second.second;
        pull_tokens_.erase(pull);  // one download per callbackURL
      }
      const auto it = activities_.find(activity_id);
      if (it == activities_.end()) return garmin_error(404, "Not Found");
      name = it->second.file;
      if (const auto cached = files_.find(name); cached != files_.end()) return octets(cached->second);
    }
    auto bytes = read_file(samples_dir() / "fit" / name);
    if (!bytes) return garmin_error(404, "Not Found");
    const std::lock_guard lock(mutex_);
    return octets(files_.emplace(name, std::move(*bytes)).first->second);
  }

  static FakeResponse octets(const std::string& bytes) {
    FakeResponse response;
    response.body = bytes;
    response.content_type = "application/octet-stream";
    return response;
  }

  mutable std::mutex mutex_;
  FakeOAuth oauth_{"garmin"};
  FaultScript faults_;
  std::map<std::string, Stored, std::less<>> activities_;
  std::map<std::string, std::string, std::less<>> files_;  // sample name → bytes, read once
  // pull token → (file id, activity id) of the activityFiles pings not yet downloaded
  std::map<std::string, std::pair<std::string, std::string>, std::less<>> pull_tokens_;
  int pulls_issued_ = 0;
  int next_index_ = 0;
  bool registered_ = false;
  std::chrono::milliseconds token_delay_{0};
  FakeProviderStats stats_;
  std::vector<std::string> targets_;
  FakeHttpServer server_;  // last: stopped first, before the state its handler reads
};

}  // namespace

std::unique_ptr<FakeGarmin> FakeGarmin::start() {
  return std::make_unique<FakeGarminImpl>();
}

std::unique_ptr<FakeProvider> make_fake_garmin() {
  return FakeGarmin::start();
}

}  // namespace pierre::testing
