#pragma once
// The tools, resources and prompts the official MCP conformance suite calls by name (test_simple_text,
// test://static-text, test_simple_prompt...). Served only with --conformance-fixtures, which refuses non-loopback
// binds: they exist to prove the protocol machinery, not to be part of the product.

#include "pierre/core/error.hpp"
#include "pierre/tools/catalog.hpp"
#include "pierre/tools/registry.hpp"

namespace pierre::mcp {

Result<void> register_conformance_fixtures(tools::Registry& registry, tools::Catalog& catalog);

}  // namespace pierre::mcp
