#include "fake_openweather.hpp"

#include <utility>  // before Boost.Asio (Boost 1.74 + GCC 12, see DESIGN.md)

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <numbers>
#include <string_view>
#include <thread>

namespace pierre::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

double round2(double x) {
  return std::round(x * 100.0) / 100.0;
}

// "a=1&b=2" → {a: "1", b: "2"}; the client sends plain numbers, commas and key characters, nothing encoded.
std::map<std::string, std::string, std::less<>> query_parameters(std::string_view target) {
  std::map<std::string, std::string, std::less<>> out;
  const auto question = target.find('?');
  if (question == std::string_view::npos) return out;
  auto rest = target.substr(question + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    out.emplace(std::string(pair.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return out;
}

std::optional<double> number(const std::map<std::string, std::string, std::less<>>& query, std::string_view name) {
  const auto it = query.find(name);
  if (it == query.end() || it->second.empty()) return std::nullopt;
  double value = 0;
  const auto* end = it->second.data() + it->second.size();
  auto [ptr, ec] = std::from_chars(it->second.data(), end, value);
  if (ec != std::errc{} || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

json FakeOpenWeather::hour(double latitude, double longitude, std::int64_t dt, bool forecast) {
  const auto index = static_cast<std::int64_t>(std::floor(static_cast<double>(dt) / 3600.0));
  const double solar = std::fmod(std::fmod(static_cast<double>(dt) / 3600.0 + longitude / 15.0, 24.0) + 24.0, 24.0);
  const double phase = 2 * std::numbers::pi * (solar - 9) / 24;
  const double temp = round2(14 - 0.15 * std::abs(latitude) + 7 * std::sin(phase));
  const double wind = round2(2 + 2 * (1 + std::sin(static_cast<double>(index) * 0.5 + latitude)));
  const bool rainy = ((index % 6) + 6) % 6 == 0;
  const bool day = solar >= 6 && solar < 20;
  json item = {
      {"dt", dt},
      {"temp", temp},
      {"feels_like", round2(temp - 0.3 * wind)},
      {"pressure", 1015},
      {"humidity", static_cast<int>(std::lround(70 - 20 * std::sin(phase)))},
      {"dew_point", round2(temp - 4)},
      {"uvi", day ? 2.1 : 0},
      {"clouds", static_cast<int>(((index * 37) % 101 + 101) % 101)},
      {"visibility", 10000},
      {"wind_speed", wind},
      {"wind_deg", 240},
      {"wind_gust", round2(wind * 1.6)},
      {"weather",
       json::array(
           {rainy
                ? json{{"id", 500}, {"main", "Rain"}, {"description", "light rain"}, {"icon", day ? "10d" : "10n"}}
                : json{{"id", 800}, {"main", "Clear"}, {"description", "clear sky"}, {"icon", day ? "01d" : "01n"}}})}};
  if (rainy) item["rain"] = {{"1h", 1.5}};
  if (forecast) item["pop"] = rainy ? 0.8 : 0.1 * static_cast<double>(((index % 3) + 3) % 3);
  return item;
}

std::int32_t FakeOpenWeather::timezone_offset(double longitude) {
  return static_cast<std::int32_t>(std::lround(longitude / 15.0) * 3600);
}

struct FakeOpenWeather::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::string api_key;
  unsigned short port = 0;

  mutable std::mutex mutex;
  Mode mode = Mode::normal;
  std::optional<std::int64_t> now;
  std::vector<std::string> targets;

  // One request per connection (the client does not reuse connections): read, answer, close.
  struct Session : std::enable_shared_from_this<Session> {
    Session(tcp::socket socket, Impl& owner) : stream(std::move(socket)), impl(owner) {}
    beast::tcp_stream stream;
    Impl& impl;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;

    void start() {
      stream.expires_after(std::chrono::seconds(5));
      http::async_read(stream, buffer, request, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return;
        self->response = self->impl.answer(self->request);
        self->stream.expires_after(std::chrono::seconds(5));
        http::async_write(self->stream, self->response, [self](beast::error_code, std::size_t) {
          beast::error_code ignored;
          self->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        });
      });
    }
  };

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<Session>(std::move(socket), *this)->start();
      accept();
    });
  }

  static http::response<http::string_body> reply(const http::request<http::string_body>& request, http::status status,
                                                 std::string body,
                                                 const char* type = "application/json; charset=utf-8") {
    http::response<http::string_body> response{status, request.version()};
    response.set(http::field::server, "openresty");
    response.set(http::field::content_type, type);
    response.keep_alive(false);
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
  }

  http::response<http::string_body> answer(const http::request<http::string_body>& request) {
    const std::string target(request.target());
    Mode current;
    std::optional<std::int64_t> fixed_now;
    {
      std::lock_guard lock(mutex);
      targets.push_back(target);
      current = mode;
      fixed_now = now;
    }
    const auto query = query_parameters(target);
    const auto appid = query.find("appid");
    if (current == Mode::unauthorized || appid == query.end() || appid->second != api_key) {
      return reply(
          request, http::status::unauthorized,
          json{{"cod", 401},
               {"message", "Invalid API key. Please see https://openweathermap.org/faq#error401 for more info."}}
              .dump());
    }
    switch (current) {
      case Mode::rate_limited:
        return reply(request, http::status::too_many_requests,
                     json{{"cod", 429},
                          {"message",
                           "Your account is temporary blocked due to exceeding of requests limitation of your "
                           "subscription type."}}
                         .dump());
      case Mode::server_error:
        return reply(request, http::status::service_unavailable, "upstream unavailable", "text/plain");
      case Mode::bad_request:
        return reply(request, http::status::bad_request,
                     json{{"cod", "400"}, {"message", "invalid request with appid " + appid->second}}.dump());
      case Mode::garbage: return reply(request, http::status::ok, "<html>definitely not json");
      case Mode::wrong_shape: return reply(request, http::status::ok, R"({"data": "sunny", "hourly": 3})");
      default: break;
    }
    const auto lat = number(query, "lat");
    const auto lon = number(query, "lon");
    if (!lat || !lon || *lat < -90 || *lat > 90 || *lon < -180 || *lon > 180) {
      return reply(request, http::status::bad_request, json{{"cod", "400"}, {"message", "wrong latitude"}}.dump());
    }
    const auto path = std::string_view(target).substr(0, target.find('?'));
    json body = {{"lat", *lat}, {"lon", *lon}, {"timezone", "Etc/Fake"}, {"timezone_offset", timezone_offset(*lon)}};
    if (path == "/data/3.0/onecall/timemachine") {
      const auto dt = number(query, "dt");
      if (!dt) return reply(request, http::status::bad_request, json{{"cod", "400"}, {"message", "wrong dt"}}.dump());
      body["data"] = json::array({hour(*lat, *lon, static_cast<std::int64_t>(*dt), false)});
      return reply(request, http::status::ok, body.dump());
    }
    if (path == "/data/3.0/onecall") {
      const auto clock_now =
          std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      const auto start = fixed_now.value_or(clock_now) / 3600 * 3600;
      json hourly = json::array();
      for (std::int64_t h = 0; h < 48; ++h) hourly.push_back(hour(*lat, *lon, start + h * 3600, true));
      body["hourly"] = std::move(hourly);
      return reply(request, http::status::ok, body.dump());
    }
    return reply(request, http::status::not_found, json{{"cod", "404"}, {"message", "Internal error"}}.dump());
  }
};

FakeOpenWeather::FakeOpenWeather(std::string api_key) : impl_(std::make_unique<Impl>()) {
  impl_->api_key = std::move(api_key);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

FakeOpenWeather::~FakeOpenWeather() {
  asio::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string FakeOpenWeather::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

void FakeOpenWeather::set_mode(Mode mode) {
  std::lock_guard lock(impl_->mutex);
  impl_->mode = mode;
}

void FakeOpenWeather::set_now(std::optional<std::int64_t> epoch_s) {
  std::lock_guard lock(impl_->mutex);
  impl_->now = epoch_s;
}

std::size_t FakeOpenWeather::request_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->targets.size();
}

std::vector<std::string> FakeOpenWeather::targets() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->targets;
}

}  // namespace pierre::testing
