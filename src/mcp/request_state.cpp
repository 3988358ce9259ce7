#include "request_state.hpp"

namespace pierre::mcp {
namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string RequestStateSealer::seal(std::string_view subject, std::string_view method, std::string_view name,
                                     const nlohmann::json& state) const {
  const nlohmann::json envelope = {
      {"u", subject}, {"m", method}, {"n", name}, {"e", now_seconds() + lifetime_.count()}, {"s", state}};
  const auto payload = envelope.dump();
  const auto tag = crypto::hmac_sha256(key_, crypto::as_bytes(payload));
  return crypto::base64url_encode(crypto::as_bytes(payload)) + "." + crypto::base64url_encode(tag);
}

std::optional<nlohmann::json> RequestStateSealer::open(std::string_view subject, std::string_view method,
                                                       std::string_view name, std::string_view sealed) const {
  const auto dot = sealed.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  crypto::Bytes payload;
  crypto::Bytes tag;
  if (!crypto::base64url_decode(sealed.substr(0, dot), payload) ||
      !crypto::base64url_decode(sealed.substr(dot + 1), tag)) {
    return std::nullopt;
  }
  const auto expected = crypto::hmac_sha256(key_, payload);
  if (!crypto::constant_time_equal(expected, tag)) return std::nullopt;
  const auto envelope = nlohmann::json::parse(payload.begin(), payload.end(), nullptr, false);
  const auto field_is = [&envelope](const char* key, std::string_view want) {
    const auto it = envelope.find(key);
    return it != envelope.end() && it->is_string() && it->get_ref<const std::string&>() == want;
  };
  if (!envelope.is_object() || !field_is("u", subject) || !field_is("m", method) || !field_is("n", name)) {
    return std::nullopt;
  }
  const auto expiry = envelope.find("e");
  if (expiry == envelope.end() || !expiry->is_number_integer() || expiry->get<std::int64_t>() < now_seconds()) {
    return std::nullopt;
  }
  return envelope.value("s", nlohmann::json());
}

}  // namespace pierre::mcp
