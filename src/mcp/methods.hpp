#pragma once
// The MCP methods behind /mcp — discovery, tools, resources, prompts, completion, logging, the Tasks extension and
// MRTR input rounds — for both protocol eras, independent of HTTP. The endpoint validates the envelope, builds a
// Scope and calls execute(), possibly on a job thread when the answer streams.

#include <memory>

#include "pierre/core/job_pool.hpp"
#include "pierre/mcp/endpoint.hpp"
#include "pierre/tools/catalog.hpp"
#include "pierre/tools/registry.hpp"
#include "scope.hpp"

namespace pierre::mcp {

class Methods {
 public:
  Methods(const tools::Registry& registry, const tools::Catalog& catalog, const EndpointOptions& options,
          JobPool& jobs);
  ~Methods();
  Methods(const Methods&) = delete;
  Methods& operator=(const Methods&) = delete;

  Outcome execute(const Scope& scope);
  [[nodiscard]] json capabilities(bool legacy) const;
  [[nodiscard]] const json& server_info() const;
  [[nodiscard]] const tools::ToolDefinition* find_tool(std::string_view name) const;
  // Stops every task and wakes calls waiting for input (shutdown).
  void cancel_all();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pierre::mcp
