#pragma once
// Prometheus metrics for the HTTP layer, exposed in text format on our own GET /metrics route.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace pierre::http {

class Metrics {
 public:
  explicit Metrics(std::string_view version);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Called once per response. `route` is the matched pattern (or "unmatched"), never the raw path, so label
  // cardinality stays bounded whatever clients send.
  void observe(std::string_view route, std::string_view method, unsigned status, std::chrono::nanoseconds latency);
  void connection_opened();
  void connection_closed();

  std::string render() const;
  prometheus::Registry& registry();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pierre::http
