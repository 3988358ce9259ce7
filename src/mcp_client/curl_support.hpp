#pragma once
// What this module's files share of libcurl (private header): an owner for the strings it allocates, and its URL
// parser, so no file here parses URLs by hand.

#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>

#include "pierre/core/error.hpp"

namespace pierre::mcp_client {

struct CurlFree {
  void operator()(char* text) const noexcept { curl_free(text); }
};
using CurlString = std::unique_ptr<char, CurlFree>;

struct UrlParts {
  std::string scheme;  // lower case, as libcurl normalises it
  std::string origin;  // scheme://host[:port], no trailing '/'
  std::string path;    // "" for none or "/"
};

// invalid_input when libcurl does not take `text` as an absolute URL.
Result<UrlParts> parse_url(std::string_view text);

}  // namespace pierre::mcp_client
