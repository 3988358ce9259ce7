#include "fake_provider.hpp"

#include <openssl/sha.h>
#include <chrono>

#include <fmt/format.h>

namespace pierre::testing {
namespace {

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// BASE64URL(SHA-256(verifier)) without padding, RFC 7636 §4.2.
std::string s256(std::string_view verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const unsigned char byte : digest) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

}  // namespace

std::string FakeOAuth::issue_code(std::string redirect_uri, std::string code_challenge, std::string scope) {
  const std::lock_guard lock(mutex_);
  auto code = fmt::format("{}-code-{}", prefix_, ++counter_);
  codes_[code] = Code{std::move(redirect_uri), std::move(code_challenge), std::move(scope)};
  return code;
}

FakeOAuth::Issued FakeOAuth::issue_locked() {
  Issued out;
  ++counter_;
  out.access_token = fmt::format("{}-at-{}", prefix_, counter_);
  out.refresh_token = fmt::format("{}-rt-{}", prefix_, counter_);
  out.expires_in_s = lifetime_s_;
  out.expires_at_s = now_s() + lifetime_s_;
  access_[out.access_token] = out.expires_at_s;
  refresh_.insert(out.refresh_token);
  pair_[out.access_token] = out.refresh_token;
  pair_[out.refresh_token] = out.access_token;
  return out;
}

std::optional<FakeOAuth::Issued> FakeOAuth::exchange(std::string_view code, std::string_view redirect_uri,
                                                     std::string_view verifier) {
  const std::lock_guard lock(mutex_);
  const auto it = codes_.find(code);
  if (it == codes_.end()) return std::nullopt;
  const Code stored = it->second;
  codes_.erase(it);  // single use, even when the rest is wrong
  if (!redirect_uri.empty() && stored.redirect_uri != redirect_uri) return std::nullopt;
  if (!stored.challenge.empty() && s256(verifier) != stored.challenge) return std::nullopt;
  return issue_locked();
}

std::optional<FakeOAuth::Issued> FakeOAuth::refresh(std::string_view refresh_token, bool rotate) {
  const std::lock_guard lock(mutex_);
  const auto it = refresh_.find(refresh_token);
  if (it == refresh_.end()) return std::nullopt;
  Issued out = issue_locked();
  if (!rotate) {  // keep the old refresh token valid and hand it back, paired with the new access token
    refresh_.erase(out.refresh_token);
    pair_.erase(out.refresh_token);
    out.refresh_token = std::string(refresh_token);
    pair_[out.access_token] = out.refresh_token;
    pair_[out.refresh_token] = out.access_token;
  } else {
    refresh_.erase(it);
  }
  return out;
}

bool FakeOAuth::valid(std::string_view access_token) const {
  const std::lock_guard lock(mutex_);
  const auto it = access_.find(access_token);
  return it != access_.end() && it->second > now_s();
}

void FakeOAuth::revoke(std::string_view token) {
  const std::lock_guard lock(mutex_);
  const auto other = pair_.find(token);
  for (const std::string_view t :
       {token, other == pair_.end() ? std::string_view{} : std::string_view(other->second)}) {
    if (t.empty()) continue;
    if (auto a = access_.find(t); a != access_.end()) access_.erase(a);
    if (auto r = refresh_.find(t); r != refresh_.end()) refresh_.erase(r);
  }
}

void FakeOAuth::expire_access_tokens() {
  const std::lock_guard lock(mutex_);
  for (auto& [token, expires] : access_) expires = 0;
}

void FakeOAuth::revoke_refresh_tokens() {
  const std::lock_guard lock(mutex_);
  refresh_.clear();
}

void FakeOAuth::set_lifetime_s(std::int64_t seconds) {
  const std::lock_guard lock(mutex_);
  lifetime_s_ = seconds;
}

std::unique_ptr<FakeProvider> make_fake_provider(std::string_view name) {
  if (name == "strava") return make_fake_strava();
  if (name == "garmin") return make_fake_garmin();
  if (name == "fitbit") return make_fake_fitbit();
  return nullptr;
}

void FaultScript::push(FakeFault fault, int times) {
  const std::lock_guard lock(mutex_);
  for (int i = 0; i < times; ++i) queue_.push_back(fault);
}

FakeFault FaultScript::next() {
  const std::lock_guard lock(mutex_);
  if (queue_.empty()) return FakeFault::none;
  const auto fault = queue_.front();
  queue_.erase(queue_.begin());
  return fault;
}

}  // namespace pierre::testing
