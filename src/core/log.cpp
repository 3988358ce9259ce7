#include "pierre/core/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <fmt/chrono.h>
#include <mutex>
#include <nlohmann/json.hpp>

#include "pierre/core/redact.hpp"

namespace pierre::logging {
namespace {

// Redacts (and, for JSON, encodes) each message, then hands it to the real sink whose pattern is just "%v" for
// JSON or a timestamped text pattern.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  RedactingSink(std::shared_ptr<spdlog::sinks::sink> inner, Format format) : inner_(std::move(inner)), format_(format) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string line = redact::text(std::string_view(msg.payload.data(), msg.payload.size()));
    if (format_ == Format::json) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
      const std::time_t secs = static_cast<std::time_t>(ms / 1000);
      nlohmann::json entry = {
          {"ts", fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(secs), static_cast<int>(ms % 1000))},
          {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                spdlog::level::to_string_view(msg.level).size())},
          {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())},
          {"msg", line}};
      line = entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    spdlog::details::log_msg redacted(msg.time, msg.source, msg.logger_name, msg.level, line);
    inner_->log(redacted);
  }
  void flush_() override { inner_->flush(); }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
  Format format_;
};

}  // namespace

void init_with_sink(std::string_view level, Format format, std::shared_ptr<spdlog::sinks::sink> sink) {
  // Timestamps in UTC so lines from different hosts line up.
  sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      format == Format::json ? "%v" : "%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc));
  auto redacting = std::make_shared<RedactingSink>(std::move(sink), format);
  auto logger = std::make_shared<spdlog::logger>("pierre", std::move(redacting));
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

void init(std::string_view level, Format format) {
  init_with_sink(level, format, std::make_shared<spdlog::sinks::stderr_sink_mt>());
}

}  // namespace pierre::logging
