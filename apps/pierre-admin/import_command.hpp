#pragma once
// pierre-admin import: activity files (FIT/GPX/TCX) into one user's store, through activity::Service::import_file —
// the same call POST /api/activities/import and the MCP import tool make, so a file imported here and then over REST
// (or the other way round) is the same stored activity (the second import reports it as a duplicate).

#include <string>
#include <vector>

#include "pierre/activity/service.hpp"
#include "pierre/auth/user_service.hpp"

namespace pierre::admin {

struct ImportOptions {
  std::string email;               // the user whose activities these are
  std::string tenant_slug;         // optional: the user must be in this tenant
  std::vector<std::string> paths;  // files and directories (walked recursively)
  bool json = false;               // the summary as one JSON object on stdout
};

// Resolves the user, collects the files (directories recursively; only *.fit, *.gpx, *.tcx in any letter case, other
// files are skipped and counted), imports them one at a time (one file in memory at a time, files over
// activity::Service::kMaxFileBytes refused), reports progress on stderr (a bar on a terminal, one line per file
// otherwise) and prints a summary on stdout. Returns the exit code: 0 every file imported (created or duplicate),
// 1 some file failed, 2 usage error (unknown user or tenant, a path that does not exist).
int run_import(auth::UserService& users, activity::Service& activities, const ImportOptions& options);

}  // namespace pierre::admin
