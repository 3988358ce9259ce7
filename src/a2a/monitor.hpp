#pragma once
// Per-agent A2A request counters for GET /a2a/monitoring: requests, errors and latency per calling agent (OAuth
// client, API key or user session), per tenant. In-process: each server instance reports what it served since start.
// Module-internal.

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "pierre/core/time.hpp"

namespace pierre::a2a {

class Monitor {
 public:
  void record(const std::string& tenant_id, const std::string& agent, bool failed, double latency_ms) {
    std::lock_guard lock(mutex_);
    auto& s = stats_[tenant_id][agent];
    ++s.requests;
    if (failed) ++s.errors;
    s.total_latency_ms += latency_ms;
    s.max_latency_ms = std::max(s.max_latency_ms, latency_ms);
    s.last_request_ms = now_epoch_ms();
  }

  // {"agents": [{"agent", "requests", "errors", "error_rate", "avg_latency_ms", "max_latency_ms", "last_request_at"}],
  //  "totals": {"requests", "errors"}}
  [[nodiscard]] nlohmann::json snapshot(const std::string& tenant_id) const {
    std::lock_guard lock(mutex_);
    auto agents = nlohmann::json::array();
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
    if (auto it = stats_.find(tenant_id); it != stats_.end()) {
      for (const auto& [agent, s] : it->second) {
        requests += s.requests;
        errors += s.errors;
        const auto n = static_cast<double>(s.requests);
        agents.push_back({{"agent", agent},
                          {"requests", s.requests},
                          {"errors", s.errors},
                          {"error_rate", n > 0 ? static_cast<double>(s.errors) / n : 0.0},
                          {"avg_latency_ms", n > 0 ? s.total_latency_ms / n : 0.0},
                          {"max_latency_ms", s.max_latency_ms},
                          {"last_request_at", iso8601_ms(s.last_request_ms)}});
      }
    }
    return {{"agents", std::move(agents)}, {"totals", {{"requests", requests}, {"errors", errors}}}};
  }

 private:
  struct Stats {
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
    double total_latency_ms = 0;
    double max_latency_ms = 0;
    std::int64_t last_request_ms = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, Stats>> stats_;
};

}  // namespace pierre::a2a
