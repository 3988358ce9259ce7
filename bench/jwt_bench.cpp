// JWT sign and verify rates for the algorithms and key sizes the server can use: RS256 with 4096-bit keys (the
// product default, PIERRE_RSA_KEY_SIZE), RS256 with 2048-bit keys, and ES256 (P-256). Signing happens once per login
// or token refresh; verification happens on every authenticated /mcp request, so the verify rate is the one that
// bounds request throughput. bench/run.sh jwt runs this and prints ops/s, µs/op and the verify/sign ratio.
//
// The claims are the shape TokenService issues (iss, sub, aud, iat, exp, jti, tenant, role, scopes).

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/crypto/jwt.hpp"

namespace {

using pierre::crypto::JwtAlgorithm;
using pierre::crypto::JwtVerifier;
using pierre::crypto::SigningKey;

constexpr const char* kIssuer = "http://127.0.0.1:8081";
constexpr const char* kAudience = "http://127.0.0.1:8081/mcp";

struct Case {
  std::string name;  // "RS256-4096"
  JwtAlgorithm algorithm;
  int rsa_bits;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "jwt_bench: %s\n", what.c_str());
  std::exit(1);
}

nlohmann::json claims() {
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return {{"iss", kIssuer},
          {"sub", "0190f5a2-7c1e-7d3a-9b2e-5f1c2a3b4c5d"},
          {"aud", kAudience},
          {"iat", now},
          {"exp", now + 24 * 3600},
          {"jti", "q1w2e3r4t5y6u7i8o9p0aa"},
          {"tenant", "0190f5a2-7c1e-7d3a-9b2e-000000000001"},
          {"role", "user"},
          {"scopes", {"mcp:read", "mcp:write"}}};
}

// One key per case, generated before any timing starts (RSA-4096 generation alone takes seconds).
struct Fixture {
  SigningKey key;
  JwtVerifier verifier;
  std::string token;
};

Fixture make_fixture(const Case& c) {
  auto key = SigningKey::generate(c.algorithm, c.rsa_bits);
  if (!key) die(c.name + ": key generation failed: " + key.error().message);
  JwtVerifier verifier(kIssuer, kAudience);
  if (auto added = verifier.add_key(*key); !added) die(c.name + ": add_key failed: " + added.error().message);
  auto token = pierre::crypto::sign_jwt(*key, claims());
  if (!token) die(c.name + ": sign_jwt failed: " + token.error().message);
  // A benchmark of rejections would measure the wrong thing: the token must verify.
  if (auto verified = verifier.verify(*token); !verified) die(c.name + ": verify failed: " + verified.error().message);
  return Fixture{std::move(*key), std::move(verifier), std::move(*token)};
}

void sign(benchmark::State& state, const Fixture* f) {
  const auto body = claims();
  for (auto _ : state) {
    auto token = pierre::crypto::sign_jwt(f->key, body);
    if (!token) {
      state.SkipWithError("sign_jwt failed");
      break;
    }
    benchmark::DoNotOptimize(token->data());
  }
}

void verify(benchmark::State& state, const Fixture* f) {
  for (auto _ : state) {
    auto claims_out = f->verifier.verify(f->token);
    if (!claims_out) {
      state.SkipWithError("verify failed");
      break;
    }
    benchmark::DoNotOptimize(claims_out->size());
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const std::vector<Case> cases = {
      {"RS256-4096", JwtAlgorithm::rs256, 4096},
      {"RS256-2048", JwtAlgorithm::rs256, 2048},
      {"ES256", JwtAlgorithm::es256, 0},
  };
  std::vector<Fixture> fixtures;
  fixtures.reserve(cases.size());
  for (const auto& c : cases) fixtures.push_back(make_fixture(c));

  for (std::size_t i = 0; i < cases.size(); ++i) {
    benchmark::RegisterBenchmark(("jwt_sign/" + cases[i].name).c_str(), sign, &fixtures[i])
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("jwt_verify/" + cases[i].name).c_str(), verify, &fixtures[i])
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
