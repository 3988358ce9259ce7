// MRTR requestState sealing: what seal() produces must open only for the same key, caller, method and name,
// untampered and before it expires. The sealed string travels through the client, so every other input is hostile.
//
// Suite names start with "mcp_" so that `ctest -R mcp` selects them.

#include "request_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "pierre/crypto/primitives.hpp"

namespace pierre::mcp {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

crypto::Bytes key_a() {
  return crypto::Bytes(32, 0xA5);
}
crypto::Bytes key_b() {
  return crypto::Bytes(32, 0x5A);
}

constexpr std::string_view kUser = "user-1";
const json kState = {{"step", "confirm"}, {"round", 2}, {"names", json::array({"Zoë", "李"})}, {"x", 1.25}};

std::string payload_of(const std::string& sealed) {
  return sealed.substr(0, sealed.find('.'));
}
std::string tag_of(const std::string& sealed) {
  return sealed.substr(sealed.find('.') + 1);
}

std::string b64(std::string_view text) {
  return crypto::base64url_encode(crypto::as_bytes(text));
}

// Builds a sealed string the way the sealer does, for envelopes seal() would never produce.
std::string forge(const crypto::Bytes& key, const std::string& envelope) {
  return b64(envelope) + "." + crypto::base64url_encode(crypto::hmac_sha256(key, crypto::as_bytes(envelope)));
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST(mcp_RequestState, RoundTrips) {
  RequestStateSealer sealer(key_a());
  const auto sealed = sealer.seal(kUser, "tools/call", "test_tool", kState);
  EXPECT_FALSE(sealed.empty());
  auto opened = sealer.open(kUser, "tools/call", "test_tool", sealed);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, kState);
}

TEST(mcp_RequestState, SealedFormIsUrlSafeText) {
  RequestStateSealer sealer(key_a());
  const auto sealed = sealer.seal(kUser, "prompts/get", "p", {{"blob", "a+b/c=d?&#"}, {"bin", std::string(200, '~')}});
  for (char c : sealed) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    EXPECT_TRUE(ok) << "unexpected character '" << c << "' in " << sealed;
  }
  EXPECT_EQ(std::count(sealed.begin(), sealed.end(), '.'), 1);
}

TEST(mcp_RequestState, NullAndScalarStatesRoundTrip) {
  RequestStateSealer sealer(key_a());
  for (const json& state : {json(nullptr), json(0), json("text"), json::array(), json::object(), json(false)}) {
    auto opened = sealer.open(kUser, "tools/call", "t", sealer.seal(kUser, "tools/call", "t", state));
    ASSERT_TRUE(opened.has_value()) << state.dump();
    EXPECT_EQ(*opened, state);
  }
}

TEST(mcp_RequestState, AnotherSealerWithTheSameKeyOpensIt) {
  // Stateless scale-out: any instance holding the key can open what another sealed.
  RequestStateSealer one(key_a());
  RequestStateSealer two(key_a());
  auto opened = two.open(kUser, "tools/call", "t", one.seal(kUser, "tools/call", "t", kState));
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, kState);
}

TEST(mcp_RequestState, DifferentKeyIsRejected) {
  RequestStateSealer sealer(key_a());
  RequestStateSealer other(key_b());
  const auto sealed = sealer.seal(kUser, "tools/call", "t", kState);
  EXPECT_FALSE(other.open(kUser, "tools/call", "t", sealed).has_value());
  RequestStateSealer empty_key(crypto::Bytes{});
  EXPECT_FALSE(empty_key.open(kUser, "tools/call", "t", sealed).has_value());
}

TEST(mcp_RequestState, WrongMethodOrNameIsRejected) {
  RequestStateSealer sealer(key_a());
  const auto sealed = sealer.seal(kUser, "tools/call", "transfer", kState);
  EXPECT_FALSE(sealer.open(kUser, "prompts/get", "transfer", sealed).has_value());
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "transfer2", sealed).has_value());
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "Transfer", sealed).has_value());
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "", sealed).has_value());
  EXPECT_FALSE(sealer.open(kUser, "", "transfer", sealed).has_value());
  EXPECT_TRUE(sealer.open(kUser, "tools/call", "transfer", sealed).has_value());
}

TEST(mcp_RequestState, AnotherCallerIsRejected) {
  RequestStateSealer sealer(key_a());
  const auto sealed = sealer.seal("user-1", "tools/call", "t", kState);
  EXPECT_FALSE(sealer.open("user-2", "tools/call", "t", sealed).has_value());
  EXPECT_FALSE(sealer.open("", "tools/call", "t", sealed).has_value());
  EXPECT_FALSE(sealer.open("user-10", "tools/call", "t", sealed).has_value());
  EXPECT_TRUE(sealer.open("user-1", "tools/call", "t", sealed).has_value());
  // An anonymous caller's state does not open for a signed-in one either.
  const auto anonymous = sealer.seal("", "tools/call", "t", kState);
  EXPECT_TRUE(sealer.open("", "tools/call", "t", anonymous).has_value());
  EXPECT_FALSE(sealer.open("user-1", "tools/call", "t", anonymous).has_value());
}

TEST(mcp_RequestState, TamperedPayloadIsRejected) {
  RequestStateSealer sealer(key_a());
  const auto sealed = sealer.seal(kUser, "tools/call", "t", kState);
  const auto payload = payload_of(sealed);
  const auto tag = tag_of(sealed);
  // Flip every payload character in turn (to another base64url character).
  for (std::size_t i = 0; i < payload.size(); ++i) {
    auto changed = payload;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", changed + "." + tag).has_value()) << "payload position " << i;
  }
  // A well-formed payload with another state but the original tag.
  crypto::Bytes raw;
  ASSERT_TRUE(crypto::base64url_decode(payload, raw));
  const json envelope = json::parse(raw.begin(), raw.end());
  ASSERT_TRUE(envelope.is_object());
  auto swapped = envelope;
  swapped["s"] = {{"step", "admin"}};
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", b64(swapped.dump()) + "." + tag).has_value());
  auto later = envelope;
  later["e"] = later["e"].get<std::int64_t>() + 3600;
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", b64(later.dump()) + "." + tag).has_value());
}

TEST(mcp_RequestState, TamperedTagIsRejected) {
  RequestStateSealer sealer(key_a());
  const auto sealed = sealer.seal(kUser, "tools/call", "t", kState);
  const auto payload = payload_of(sealed);
  const auto tag = tag_of(sealed);
  for (std::size_t i = 0; i < tag.size(); ++i) {
    auto changed = tag;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", payload + "." + changed).has_value()) << "tag position " << i;
  }
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", payload + "." + tag.substr(0, tag.size() - 2)).has_value());
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", payload + "." + tag + "AA").has_value());
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", payload + ".").has_value());
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", payload).has_value());
  // Tag of another sealed state.
  const auto other = sealer.seal(kUser, "tools/call", "t", {{"step", "other"}});
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", payload + "." + tag_of(other)).has_value());
}

TEST(mcp_RequestState, ExpiredStateIsRejected) {
  RequestStateSealer already_expired(key_a(), std::chrono::seconds(-1));
  const auto sealed = already_expired.seal(kUser, "tools/call", "t", kState);
  EXPECT_FALSE(already_expired.open(kUser, "tools/call", "t", sealed).has_value());
  // The same key with a normal lifetime does not revive it: expiry is inside the sealed payload.
  RequestStateSealer normal(key_a());
  EXPECT_FALSE(normal.open(kUser, "tools/call", "t", sealed).has_value());
}

TEST(mcp_RequestState, StateExpiresAfterItsLifetime) {
  RequestStateSealer sealer(key_a(), std::chrono::seconds(1));
  const auto sealed = sealer.seal(kUser, "tools/call", "t", kState);
  EXPECT_TRUE(sealer.open(kUser, "tools/call", "t", sealed).has_value());
  std::this_thread::sleep_for(2100ms);
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", sealed).has_value());
}

TEST(mcp_RequestState, MalformedEnvelopesWithAValidTagAreRejected) {
  // These could only come from someone holding the key; open() must still refuse anything but its own format.
  RequestStateSealer sealer(key_a());
  const auto future = std::to_string(now_seconds() + 600);
  const std::vector<std::string> envelopes{
      R"({"u":"user-1","m":"tools/call","n":"t","s":{"a":1}})",                    // no expiry
      R"({"u":"user-1","m":"tools/call","n":"t","e":")" + future + R"(","s":1})",  // expiry as a string
      R"({"u":"user-1","m":"tools/call","n":"t","e":)" + future + R"(.5,"s":1})",  // expiry as a float
      R"({"u":"user-1","m":"tools/call","e":)" + future + R"(,"s":1})",            // no name
      R"({"m":"tools/call","n":"t","e":)" + future + R"(,"s":1})",                 // no caller
      R"({"u":"user-1","n":"t","e":)" + future + R"(,"s":1})",                     // no method
      R"(["user-1","tools/call","t",)" + future + "]",                             // not an object
      "null",
      "not json at all",
  };
  for (const auto& envelope : envelopes) {
    EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", forge(key_a(), envelope)).has_value()) << envelope;
  }
  // Control: the same construction with a well-formed envelope opens, so the cases above fail for their content.
  auto control = sealer.open(kUser, "tools/call", "t",
                             forge(key_a(), R"({"u":"user-1","m":"tools/call","n":"t","e":)" + future + R"(,"s":1})"));
  ASSERT_TRUE(control.has_value());
  EXPECT_EQ(*control, 1);
}

TEST(mcp_RequestState, AuthenticEnvelopeWithWrongFieldTypesIsRejectedNotThrown) {
  // Same situation as above (say, an instance running another envelope format with the shared key): open()
  // promises nullopt for anything malformed, so a non-string caller, method or name must not escape as an exception.
  RequestStateSealer sealer(key_a());
  const auto future = std::to_string(now_seconds() + 600);
  for (const std::string& envelope :
       {R"({"u":"user-1","m":1,"n":"t","e":)" + future + R"(,"s":1})",
        R"({"u":"user-1","m":"tools/call","n":["t"],"e":)" + future + R"(,"s":1})",
        R"({"u":{"id":"user-1"},"m":"tools/call","n":"t","e":)" + future + R"(,"s":1})"}) {
    std::optional<json> opened;
    EXPECT_NO_THROW(opened = sealer.open(kUser, "tools/call", "t", forge(key_a(), envelope))) << envelope;
    EXPECT_FALSE(opened.has_value()) << envelope;
  }
}

TEST(mcp_RequestState, GarbageIsRejected) {
  RequestStateSealer sealer(key_a());
  const std::vector<std::string> garbage{
      "",
      ".",
      "..",
      "a.b",
      "abc",
      "abc.",
      ".abc",
      "a.b.c",
      "!!!.###",
      "eyJ9.eyJ9",
      "====.====",
      std::string(10000, 'A') + "." + std::string(43, 'A'),
      std::string("\0.\0", 3),
      "\xFF\xFE.\xFF",
      "e30.e30",  // "{}" . "{}"
  };
  for (const auto& g : garbage) {
    EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", g).has_value()) << "accepted '" << g << "'";
  }
  // Extra dots: the payload of a valid state with another segment appended.
  const auto sealed = sealer.seal(kUser, "tools/call", "t", kState);
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", sealed + ".x").has_value());
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", "x." + sealed).has_value());
  EXPECT_FALSE(sealer.open(kUser, "tools/call", "t", " " + sealed).has_value());
}

}  // namespace
}  // namespace pierre::mcp
