#include "pages.hpp"

#include <fmt/format.h>

#include "pierre/http/errors.hpp"
#include "pierre/net/http_client.hpp"

namespace pierre::oauth2::pages {
namespace {

constexpr std::string_view kStyle = R"(
:root{color-scheme:light dark;--fg:#1d2330;--muted:#5b6475;--bg:#f4f5f8;--card:#fff;--line:#d8dce4;--accent:#e4572e;--err:#b42318}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaf0;--muted:#a3abbb;--bg:#12151c;--card:#1b2029;--line:#2e3543;--err:#ff8a80}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:var(--card);border:1px solid var(--line);border-radius:12px}
h1{font-size:1.35rem;margin:0 0 1rem}
p{margin:.5rem 0}
.muted{color:var(--muted);font-size:.9rem}
ul{padding-left:1.25rem;margin:.5rem 0 1rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=email],input[type=password]{width:100%;padding:.6rem;border:1px solid var(--line);border-radius:8px;font:inherit;background:transparent;color:inherit}
input:focus,button:focus{outline:3px solid var(--accent);outline-offset:2px}
.actions{display:flex;gap:.75rem;margin-top:1.25rem}
button{flex:1;padding:.65rem;border-radius:8px;font:inherit;font-weight:600;cursor:pointer;border:1px solid var(--line);background:transparent;color:inherit}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
.error{color:var(--err);border:1px solid var(--err);border-radius:8px;padding:.5rem .75rem}
code{word-break:break-all}
)";

std::string document(std::string_view title, std::string_view body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n<title>{}</title>\n<style>{}</style>\n</head>\n"
      "<body>\n<main>\n{}</main>\n</body>\n</html>\n",
      http::html_escape(title), kStyle, body);
}

std::string_view scope_description(std::string_view scope) {
  if (scope == "mcp:read") return "Read your fitness data: activities, athlete profile and analytics";
  if (scope == "mcp:write") return "Change your data: goals, settings and configuration";
  return {};
}

}  // namespace

std::string consent(const ConsentView& view) {
  const std::string name = http::html_escape(view.client_name.empty() ? view.client_id : view.client_name);
  std::string body;
  body += fmt::format("<h1>Authorize {}</h1>\n", name);
  body += fmt::format(
      "<p><strong>{}</strong> wants to access your Pierre account. After you decide, your browser will be sent to "
      "<code>{}</code>.</p>\n",
      name, http::html_escape(view.redirect_host));
  // A metadata-document client names itself; the host that publishes the document is what the user can trust.
  if (view.client_id.starts_with("https://")) {
    if (auto url = net::parse_url(view.client_id)) {
      body += fmt::format("<p class=\"muted\">This application is described by <code>{}</code>.</p>\n",
                          http::html_escape(url->host));
    }
  }
  body += "<p>It is asking to:</p>\n<ul>\n";
  for (const auto& scope : view.scopes) {
    const auto description = scope_description(scope);
    if (description.empty()) {
      body += fmt::format("<li><code>{}</code></li>\n", http::html_escape(scope));
    } else {
      body += fmt::format("<li>{} <span class=\"muted\">(<code>{}</code>)</span></li>\n",
                          http::html_escape(description), http::html_escape(scope));
    }
  }
  body += "</ul>\n";
  if (!view.error.empty()) {
    body += fmt::format("<p class=\"error\" role=\"alert\">{}</p>\n", http::html_escape(view.error));
  }
  body += "<form method=\"post\" action=\"/oauth2/authorize\">\n";
  if (view.signed_in_as) {
    body += fmt::format("<p>Signed in as <strong>{}</strong>.</p>\n", http::html_escape(*view.signed_in_as));
  } else {
    body += fmt::format(
        "<label for=\"email\">Email</label>\n"
        "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required value=\"{}\"{}>\n"
        "<label for=\"password\">Password</label>\n"
        "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required{}>\n",
        http::html_escape(view.email), view.email.empty() ? " autofocus" : "", view.email.empty() ? "" : " autofocus");
  }
  body += fmt::format("<input type=\"hidden\" name=\"request\" value=\"{}\">\n", http::html_escape(view.request));
  body += fmt::format("<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">\n", http::html_escape(view.csrf_token));
  body +=
      "<div class=\"actions\">\n"
      // Allow first: pressing Enter in the password field submits with the first button.
      "<button type=\"submit\" name=\"decision\" value=\"allow\" class=\"primary\">Allow</button>\n"
      "<button type=\"submit\" name=\"decision\" value=\"deny\" formnovalidate>Deny</button>\n"
      "</div>\n</form>\n"
      "<p class=\"muted\">Only allow applications you trust. You can revoke access at any time.</p>\n";
  return document("Authorize " + (view.client_name.empty() ? view.client_id : view.client_name) + " — Pierre", body);
}

std::string error(std::string_view title, std::string_view message) {
  return document(fmt::format("{} — Pierre", title),
                  fmt::format("<h1>{}</h1>\n<p role=\"alert\">{}</p>\n<p class=\"muted\">You can close this window "
                              "and try again from the application.</p>\n",
                              http::html_escape(title), http::html_escape(message)));
}

}  // namespace pierre::oauth2::pages
