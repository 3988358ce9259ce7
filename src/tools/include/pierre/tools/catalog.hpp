#pragma once
// Resources (data a client can read by URI) and prompts (conversation starters a person picks), beside the tool
// registry and built the same way: declared at start-up with their handlers, read-only afterwards, so listing and
// lookup take no lock. MCP serves them; nothing here knows about JSON-RPC.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pierre/core/error.hpp"
#include "pierre/tools/registry.hpp"

namespace pierre::tools {

// MCP resource contents: [{uri, mimeType, text} | {uri, mimeType, blob(base64)}].
using ResourceReader = std::function<Result<nlohmann::json>(const std::string& uri, CallContext& context)>;
// Variables captured from a URI template ("pierre://activities/{id}" + "pierre://activities/42" → {id: "42"}).
using UriVariables = std::map<std::string, std::string, std::less<>>;
using TemplateReader =
    std::function<Result<nlohmann::json>(const std::string& uri, const UriVariables& variables, CallContext& context)>;

struct ResourceDefinition {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  ResourceReader read;
};

struct ResourceTemplateDefinition {
  std::string uri_template;  // RFC 6570 level 1: literal text and {name} expressions (each matches one segment)
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  TemplateReader read;
  // Suggestions for completion/complete on a template variable, by variable name.
  std::function<std::vector<std::string>(std::string_view variable, std::string_view prefix)> complete;
};

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
  std::vector<std::string> suggestions;  // offered by completion/complete, filtered by prefix
};

struct PromptOutput {
  std::string description;
  nlohmann::json messages = nlohmann::json::array();  // [{role, content}]
  std::optional<InputRequired> input_required;
};

struct PromptDefinition {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  std::function<Result<PromptOutput>(const std::map<std::string, std::string, std::less<>>& arguments,
                                     CallContext& context)>
      get;
};

// Splits a template into literal/variable parts and matches URIs against it.
class UriTemplate {
 public:
  static Result<UriTemplate> parse(std::string_view text);
  [[nodiscard]] std::optional<UriVariables> match(std::string_view uri) const;
  [[nodiscard]] const std::vector<std::string>& variables() const noexcept { return variables_; }

 private:
  std::vector<std::string> literals_;  // literals_[i] precedes variables_[i]; one trailing literal
  std::vector<std::string> variables_;
};

class Catalog {
 public:
  Catalog();
  ~Catalog();
  Catalog(Catalog&&) noexcept;
  Catalog& operator=(Catalog&&) noexcept;

  Result<void> add_resource(ResourceDefinition resource);
  Result<void> add_template(ResourceTemplateDefinition resource_template);
  Result<void> add_prompt(PromptDefinition prompt);

  // MCP descriptors in registration order.
  [[nodiscard]] const std::vector<nlohmann::json>& resource_descriptors() const noexcept;
  [[nodiscard]] const std::vector<nlohmann::json>& template_descriptors() const noexcept;
  [[nodiscard]] const std::vector<nlohmann::json>& prompt_descriptors() const noexcept;

  // resource_not_found (details.uri) when no resource or template matches; the reader's contents otherwise.
  Result<nlohmann::json> read(const std::string& uri, CallContext& context) const;
  // resource_not_found for an unknown prompt; invalid_input for a missing required or unknown argument, or an
  // argument that is not a string.
  Result<PromptOutput> get_prompt(std::string_view name, const nlohmann::json& arguments, CallContext& context) const;
  // Values for completion/complete; invalid_input for an unknown prompt/template/argument.
  Result<std::vector<std::string>> complete_prompt_argument(std::string_view prompt, std::string_view argument,
                                                            std::string_view prefix) const;
  Result<std::vector<std::string>> complete_template_variable(std::string_view uri_template, std::string_view variable,
                                                              std::string_view prefix) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pierre::tools
