#include "pierre/http/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <fmt/format.h>
#include <sstream>
#include <unordered_map>

namespace pierre::http {

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests = prometheus::BuildCounter()
                                                          .Name("pierre_http_requests_total")
                                                          .Help("HTTP requests by route, method and status")
                                                          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& latency = prometheus::BuildHistogram()
                                                           .Name("pierre_http_request_duration_seconds")
                                                           .Help("HTTP request latency by route and method")
                                                           .Register(*registry);
  prometheus::Gauge& connections = prometheus::BuildGauge()
                                       .Name("pierre_http_connections_active")
                                       .Help("Open HTTP connections")
                                       .Register(*registry)
                                       .Add({});
  const std::uint64_t generation = next_generation();

  static std::uint64_t next_generation() {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
  }
};

namespace {

// Family::Add locks and hashes the label set; the hot path instead hits a per-thread cache of metric pointers, so
// a steady-state request touches only atomics. Keyed by the owning Metrics instance's generation so that tests
// creating several Metrics objects never see a stale pointer.
struct ThreadCache {
  std::uint64_t generation = 0;
  std::unordered_map<std::string, std::pair<prometheus::Counter*, prometheus::Histogram*>> entries;
};

const prometheus::Histogram::BucketBoundaries& latency_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return buckets;
}

}  // namespace

Metrics::Metrics(std::string_view version) : impl_(std::make_unique<Impl>()) {
  prometheus::BuildGauge()
      .Name("pierre_build_info")
      .Help("Build information")
      .Register(*impl_->registry)
      .Add({{"version", std::string(version)}, {"server", "pierre-mcp-server"}})
      .Set(1);
}

Metrics::~Metrics() = default;

void Metrics::observe(std::string_view route, std::string_view method, unsigned status,
                      std::chrono::nanoseconds latency) {
  thread_local ThreadCache cache;
  if (cache.generation != impl_->generation) {
    cache.entries.clear();
    cache.generation = impl_->generation;
  }
  auto key = fmt::format("{}\x1f{}\x1f{}", route, method, status);
  auto it = cache.entries.find(key);
  if (it == cache.entries.end()) {
    auto& counter = impl_->requests.Add(
        {{"route", std::string(route)}, {"method", std::string(method)}, {"status", std::to_string(status)}});
    auto& histogram =
        impl_->latency.Add({{"route", std::string(route)}, {"method", std::string(method)}}, latency_buckets());
    it = cache.entries.emplace(std::move(key), std::make_pair(&counter, &histogram)).first;
  }
  it->second.first->Increment();
  it->second.second->Observe(std::chrono::duration<double>(latency).count());
}

void Metrics::connection_opened() {
  impl_->connections.Increment();
}
void Metrics::connection_closed() {
  impl_->connections.Decrement();
}

std::string Metrics::render() const {
  std::ostringstream out;
  prometheus::TextSerializer{}.Serialize(out, impl_->registry->Collect());
  return out.str();
}

prometheus::Registry& Metrics::registry() {
  return *impl_->registry;
}

}  // namespace pierre::http
