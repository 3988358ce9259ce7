// Fuzzes configuration parsing: NUL-separated fields become argv and NAME=VALUE environment entries.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pierre/core/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> fields(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      fields.emplace_back();
    } else {
      fields.back() += static_cast<char>(data[i]);
    }
  }
  std::vector<std::string> args{"pierre-mcp-server"};
  std::map<std::string, std::string> env;
  for (const auto& f : fields) {
    const auto eq = f.find('=');
    if (!f.starts_with("-") && eq != std::string::npos && eq > 0) {
      env[f.substr(0, eq)] = f.substr(eq + 1);
    } else {
      args.push_back(f);
    }
  }
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  const pierre::config::EnvLookup lookup = [&env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  (void)pierre::config::parse(argv, lookup);
  return 0;
}
