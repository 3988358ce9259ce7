#pragma once
// A single-page app's built assets (e.g. the dashboard's web/dist), served from a directory under a mount path:
//   GET <mount>, <mount>/                    index.html, Cache-Control: no-cache
//   GET <mount>/assets/<file>               the file, Cache-Control: public, max-age=31536000, immutable (the build
//                                           puts content hashes in these names, so a changed file is a new URL)
//   GET <mount>/<other file with extension> the file, no-cache; 404 RESOURCE_NOT_FOUND when it does not exist
//   GET <mount>/<route without extension>   index.html (the app's client-side routes: /dashboard/users …)
// Every answer carries a strict Content-Security-Policy (scripts, styles, connections only from this origin, no
// inline script, no framing), X-Frame-Options DENY, Referrer-Policy no-referrer and the Content-Type of the file's
// extension. The path is percent-decoded once; a segment that is "." or "..", or any NUL, backslash or control
// character, is refused (404), and the resolved file must lie inside the directory (symbolic links included), so
// nothing outside it can be read. Files are read at request time (a rebuilt app needs no restart), up to 16 MiB.
// When the directory has no index.html every route answers 503 RESOURCE_UNAVAILABLE saying how to build the app.

#include <string>

#include "pierre/http/router.hpp"

namespace pierre::http {

struct StaticSite {
  std::string mount;       // "/dashboard"
  std::string directory;   // absolute or relative to the working directory
  std::string build_hint;  // shown in the 503 when the app is not built ("run `make run`…")
};

inline constexpr const char* kStrictContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

void register_static_site(Router& router, StaticSite site);

}  // namespace pierre::http
