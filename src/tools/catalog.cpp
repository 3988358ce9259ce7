#include "pierre/tools/catalog.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <unordered_map>

namespace pierre::tools {
namespace {

using nlohmann::json;

json optional_fields(json object, std::string_view title, std::string_view description, std::string_view mime) {
  if (!title.empty()) object["title"] = title;
  if (!description.empty()) object["description"] = description;
  if (!mime.empty()) object["mimeType"] = mime;
  return object;
}

// A handler bug costs one request, not the process.
template <typename F>
auto guarded(std::string_view what, const CallContext& context, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    spdlog::error("{} threw: {} request_id={}", what, e.what(), context.request_id);
    return fail(ErrorCode::internal_error, "internal error");
  } catch (...) {
    spdlog::error("{} threw a non-exception request_id={}", what, context.request_id);
    return fail(ErrorCode::internal_error, "internal error");
  }
}

std::vector<std::string> filter_prefix(const std::vector<std::string>& values, std::string_view prefix) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    if (v.starts_with(prefix)) out.push_back(v);
  }
  return out;
}

}  // namespace

Result<UriTemplate> UriTemplate::parse(std::string_view text) {
  UriTemplate t;
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '}') return fail(ErrorCode::config_error, fmt::format("URI template '{}': stray '}}'", text));
    if (text[i] != '{') {
      literal += text[i];
      continue;
    }
    const auto close = text.find('}', i);
    if (close == std::string_view::npos) {
      return fail(ErrorCode::config_error, fmt::format("URI template '{}': unclosed '{{'", text));
    }
    const auto name = text.substr(i + 1, close - i - 1);
    const bool simple = !name.empty() && std::ranges::all_of(name, [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!simple) {
      return fail(ErrorCode::config_error,
                  fmt::format("URI template '{}': only simple {{name}} expressions are supported", text));
    }
    if (!t.variables_.empty() && literal.empty()) {
      return fail(ErrorCode::config_error, fmt::format("URI template '{}': adjacent expressions are ambiguous", text));
    }
    t.literals_.push_back(std::move(literal));
    literal.clear();
    t.variables_.emplace_back(name);
    i = close;
  }
  t.literals_.push_back(std::move(literal));
  return t;
}

std::optional<UriVariables> UriTemplate::match(std::string_view uri) const {
  UriVariables out;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < variables_.size(); ++i) {
    if (uri.substr(pos, literals_[i].size()) != literals_[i]) return std::nullopt;
    pos += literals_[i].size();
    // A variable spans one path segment: up to the next literal, never across '/', '?' or '#'.
    const auto& next = literals_[i + 1];
    std::size_t end = next.empty() ? uri.size() : uri.find(next, pos);
    if (end == std::string_view::npos) return std::nullopt;
    const auto value = uri.substr(pos, end - pos);
    if (value.empty() || value.find_first_of("/?#") != std::string_view::npos) return std::nullopt;
    out.emplace(variables_[i], std::string(value));
    pos = end;
  }
  if (uri.substr(pos) != literals_.back()) return std::nullopt;
  return out;
}

struct Catalog::Impl {
  std::vector<ResourceDefinition> resources;
  std::unordered_map<std::string, std::size_t> resource_by_uri;
  std::vector<std::pair<ResourceTemplateDefinition, UriTemplate>> templates;
  std::vector<PromptDefinition> prompts;
  std::unordered_map<std::string, std::size_t> prompt_by_name;
  std::vector<json> resource_descriptors, template_descriptors, prompt_descriptors;
};

Catalog::Catalog() : impl_(std::make_unique<Impl>()) {}
Catalog::~Catalog() = default;
Catalog::Catalog(Catalog&&) noexcept = default;
Catalog& Catalog::operator=(Catalog&&) noexcept = default;

Result<void> Catalog::add_resource(ResourceDefinition resource) {
  if (resource.uri.empty() || resource.uri.find(':') == std::string::npos || resource.name.empty() || !resource.read) {
    return fail(ErrorCode::config_error,
                fmt::format("resource '{}' needs an absolute URI, a name and a reader", resource.uri));
  }
  if (impl_->resource_by_uri.contains(resource.uri)) {
    return fail(ErrorCode::config_error, fmt::format("resource '{}' registered twice", resource.uri));
  }
  impl_->resource_descriptors.push_back(optional_fields({{"uri", resource.uri}, {"name", resource.name}},
                                                        resource.title, resource.description, resource.mime_type));
  impl_->resource_by_uri.emplace(resource.uri, impl_->resources.size());
  impl_->resources.push_back(std::move(resource));
  return {};
}

Result<void> Catalog::add_template(ResourceTemplateDefinition resource_template) {
  auto parsed = UriTemplate::parse(resource_template.uri_template);
  if (!parsed) return std::unexpected(parsed.error());
  if (resource_template.name.empty() || !resource_template.read) {
    return fail(ErrorCode::config_error,
                fmt::format("resource template '{}' needs a name and a reader", resource_template.uri_template));
  }
  impl_->template_descriptors.push_back(
      optional_fields({{"uriTemplate", resource_template.uri_template}, {"name", resource_template.name}},
                      resource_template.title, resource_template.description, resource_template.mime_type));
  impl_->templates.emplace_back(std::move(resource_template), std::move(*parsed));
  return {};
}

Result<void> Catalog::add_prompt(PromptDefinition prompt) {
  if (!is_valid_tool_name(prompt.name) || prompt.description.empty() || !prompt.get) {
    return fail(ErrorCode::config_error,
                fmt::format("prompt '{}' needs a valid name, a description and a handler", prompt.name));
  }
  if (impl_->prompt_by_name.contains(prompt.name)) {
    return fail(ErrorCode::config_error, fmt::format("prompt '{}' registered twice", prompt.name));
  }
  json arguments = json::array();
  for (const auto& a : prompt.arguments) {
    json arg = {{"name", a.name}, {"required", a.required}};
    if (!a.description.empty()) arg["description"] = a.description;
    arguments.push_back(std::move(arg));
  }
  json descriptor = optional_fields({{"name", prompt.name}}, prompt.title, prompt.description, {});
  if (!arguments.empty()) descriptor["arguments"] = std::move(arguments);
  impl_->prompt_descriptors.push_back(std::move(descriptor));
  impl_->prompt_by_name.emplace(prompt.name, impl_->prompts.size());
  impl_->prompts.push_back(std::move(prompt));
  return {};
}

const std::vector<json>& Catalog::resource_descriptors() const noexcept {
  return impl_->resource_descriptors;
}
const std::vector<json>& Catalog::template_descriptors() const noexcept {
  return impl_->template_descriptors;
}
const std::vector<json>& Catalog::prompt_descriptors() const noexcept {
  return impl_->prompt_descriptors;
}

Result<json> Catalog::read(const std::string& uri, CallContext& context) const {
  Result<json> contents =
      fail(ErrorCode::resource_not_found, fmt::format("Resource not found: {}", uri), json{{"uri", uri}});
  if (auto it = impl_->resource_by_uri.find(uri); it != impl_->resource_by_uri.end()) {
    const auto& resource = impl_->resources[it->second];
    contents = guarded("resource reader", context, [&] { return resource.read(uri, context); });
  } else {
    for (const auto& [definition, parsed] : impl_->templates) {
      if (auto variables = parsed.match(uri)) {
        contents =
            guarded("resource template reader", context, [&] { return definition.read(uri, *variables, context); });
        break;
      }
    }
  }
  if (contents && (!contents->is_array() || contents->empty())) {
    // An empty read is indistinguishable from "not found" for clients; say so (SEP-2164).
    return fail(ErrorCode::resource_not_found, fmt::format("Resource not found: {}", uri), json{{"uri", uri}});
  }
  return contents;
}

Result<PromptOutput> Catalog::get_prompt(std::string_view name, const json& arguments, CallContext& context) const {
  const auto it = impl_->prompt_by_name.find(std::string(name));
  if (it == impl_->prompt_by_name.end()) {
    return fail(ErrorCode::resource_not_found, fmt::format("Prompt not found: {}", name), json{{"name", name}});
  }
  const auto& prompt = impl_->prompts[it->second];
  std::map<std::string, std::string, std::less<>> values;
  if (!arguments.is_null() && !arguments.is_object()) {
    return fail(ErrorCode::invalid_input, "prompt arguments must be an object of strings");
  }
  if (arguments.is_object()) {
    for (const auto& [key, value] : arguments.items()) {
      const bool known = std::ranges::any_of(prompt.arguments, [&](const auto& a) { return a.name == key; });
      if (!known) return fail(ErrorCode::invalid_input, fmt::format("prompt {} has no argument '{}'", name, key));
      if (!value.is_string()) {
        return fail(ErrorCode::invalid_input, fmt::format("prompt argument '{}' must be a string", key));
      }
      values.emplace(key, value.get<std::string>());
    }
  }
  for (const auto& a : prompt.arguments) {
    if (a.required && !values.contains(a.name)) {
      return fail(ErrorCode::missing_required_field, fmt::format("prompt {} needs argument '{}'", name, a.name),
                  json{{"field", a.name}});
    }
  }
  return guarded("prompt handler", context, [&] { return prompt.get(values, context); });
}

Result<std::vector<std::string>> Catalog::complete_prompt_argument(std::string_view prompt, std::string_view argument,
                                                                   std::string_view prefix) const {
  const auto it = impl_->prompt_by_name.find(std::string(prompt));
  if (it == impl_->prompt_by_name.end()) {
    return fail(ErrorCode::invalid_input, fmt::format("Prompt not found: {}", prompt));
  }
  for (const auto& a : impl_->prompts[it->second].arguments) {
    if (a.name == argument) return filter_prefix(a.suggestions, prefix);
  }
  return fail(ErrorCode::invalid_input, fmt::format("prompt {} has no argument '{}'", prompt, argument));
}

Result<std::vector<std::string>> Catalog::complete_template_variable(std::string_view uri_template,
                                                                     std::string_view variable,
                                                                     std::string_view prefix) const {
  for (const auto& [definition, parsed] : impl_->templates) {
    if (definition.uri_template != uri_template) continue;
    if (std::ranges::find(parsed.variables(), variable) == parsed.variables().end()) {
      return fail(ErrorCode::invalid_input, fmt::format("template {} has no variable '{}'", uri_template, variable));
    }
    if (!definition.complete) return std::vector<std::string>{};
    return definition.complete(variable, prefix);
  }
  return fail(ErrorCode::invalid_input, fmt::format("Resource template not found: {}", uri_template));
}

}  // namespace pierre::tools
