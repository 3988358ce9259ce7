#pragma once
// Logging: spdlog's default logger, writing text or JSON lines to stderr, with every message passed through
// redact::text() before it is written. Modules log with spdlog::info(...) etc.; nothing can bypass redaction.

#include <memory>
#include <string_view>

#include <spdlog/sinks/sink.h>

namespace pierre::logging {

enum class Format { text, json };

// level: trace, debug, info, warn, error, off (anything else means info).
void init(std::string_view level, Format format);
// Same, writing to `sink` (tests).
void init_with_sink(std::string_view level, Format format, std::shared_ptr<spdlog::sinks::sink> sink);

}  // namespace pierre::logging
