#include "import_command.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pierre/activity/model.hpp"
#include "pierre/core/error.hpp"

namespace pierre::admin {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

int usage_error(const std::string& message) {
  fmt::print(stderr, "pierre-admin: error: {}\n", message);
  return kExitUsage;
}

bool is_activity_file(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".fit" || ext == ".gpx" || ext == ".tcx";
}

struct FileList {
  std::vector<fs::path> files;  // in argument order; each directory's files sorted by path
  std::size_t skipped = 0;      // regular files that are not .fit/.gpx/.tcx
};

// Paths only: the files themselves are read one at a time during the import.
Result<FileList> collect_files(const std::vector<std::string>& args) {
  FileList list;
  for (const auto& arg : args) {
    const fs::path root(arg);
    std::error_code error;
    const auto status = fs::status(root, error);
    if (error || !fs::exists(status)) {
      return fail(ErrorCode::invalid_input, fmt::format("{}: no such file or directory", arg));
    }
    if (fs::is_regular_file(status)) {
      if (is_activity_file(root)) {
        list.files.push_back(root);
      } else {
        ++list.skipped;
      }
      continue;
    }
    if (!fs::is_directory(status)) {
      return fail(ErrorCode::invalid_input, fmt::format("{}: not a regular file or a directory", arg));
    }
    std::vector<fs::path> found;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error);
    for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      std::error_code entry_error;
      if (!it->is_regular_file(entry_error)) continue;  // directories, sockets, dangling links
      if (is_activity_file(it->path())) {
        found.push_back(it->path());
      } else {
        ++list.skipped;
      }
    }
    if (error) return fail(ErrorCode::invalid_input, fmt::format("{}: cannot be read: {}", arg, error.message()));
    std::sort(found.begin(), found.end());
    list.files.insert(list.files.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
  return list;
}

// The whole file, refused before reading when it is larger than the service accepts.
Result<std::vector<std::uint8_t>> read_file(const fs::path& path) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (error) return fail(ErrorCode::storage_error, "cannot read the file: " + error.message());
  if (size > activity::Service::kMaxFileBytes) {
    return fail(ErrorCode::payload_too_large,
                fmt::format("the file is {:.1f} MB; files larger than {} MB are not accepted",
                            static_cast<double>(size) / (1024.0 * 1024.0), activity::Service::kMaxFileBytes >> 20U));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::storage_error, "cannot open the file");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (in.bad()) return fail(ErrorCode::storage_error, "cannot read the file");
  bytes.resize(static_cast<std::size_t>(in.gcount()));  // it may have shrunk since file_size
  return bytes;
}

enum class Outcome { created, duplicate, failed };

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::created: return "created";
    case Outcome::duplicate: return "duplicate";
    case Outcome::failed: return "failed";
  }
  return "failed";
}

struct FileResult {
  std::string path;
  Outcome outcome = Outcome::failed;
  std::vector<activity::Stored> activities;  // created or duplicate; empty when failed
  std::vector<std::string> warnings;
  std::optional<Error> error;
};

FileResult import_one(activity::Service& service, const activity::Owner& owner, const fs::path& path) {
  FileResult result;
  result.path = path.string();
  auto bytes = read_file(path);
  if (!bytes) {
    result.error = bytes.error();
    return result;
  }
  auto report =
      service.import_file(owner, std::span<const std::uint8_t>(bytes->data(), bytes->size()), path.filename().string());
  if (!report) {
    result.error = report.error();
    return result;
  }
  const bool created = std::any_of(report->activities.begin(), report->activities.end(),
                                   [](const activity::Stored& s) { return s.created; });
  result.outcome = created ? Outcome::created : Outcome::duplicate;
  result.activities = std::move(report->activities);
  result.warnings = std::move(report->warnings);
  return result;
}

// "act_1, act_2 (same_source_id)": the stored activities, with the reason when one is a duplicate
std::string describe(const FileResult& result) {
  if (result.error) return result.error->message;
  std::string out;
  for (const auto& stored : result.activities) {
    if (!out.empty()) out += ", ";
    out += stored.activity.id;
    if (!stored.created) out += fmt::format(" ({})", stored.duplicate_reason);
  }
  return out;
}

// Progress on stderr: on a terminal one bar redrawn in place (failures printed above it), otherwise one line per file.
class Progress {
 public:
  explicit Progress(std::size_t total) : total_(total), tty_(::isatty(STDERR_FILENO) == 1) {}

  void starting(std::size_t done, const fs::path& path) {
    if (tty_) draw(done, path.filename().string());
  }

  void finished(std::size_t done, const FileResult& result) {
    if (!tty_) {
      fmt::print(stderr, "[{}/{}] {:<9} {}: {}\n", done, total_, outcome_name(result.outcome), result.path,
                 describe(result));
      return;
    }
    if (result.outcome == Outcome::failed) {
      fmt::print(stderr, "\r\033[K{:<9} {}: {}\n", outcome_name(result.outcome), result.path, describe(result));
    }
    draw(done, fs::path(result.path).filename().string());
  }

  void close() {
    if (tty_ && drawn_) fmt::print(stderr, "\r\033[K");
    std::fflush(stderr);
  }

 private:
  void draw(std::size_t done, std::string name) {
    constexpr std::size_t kBarWidth = 24;
    const std::size_t filled = total_ == 0 ? kBarWidth : done * kBarWidth / total_;
    auto line = fmt::format("[{}{}] {}/{} files  ", std::string(filled, '#'), std::string(kBarWidth - filled, ' '),
                            done, total_);
    // Keep the line on one terminal row, or \r would not return to its start.
    const std::size_t columns = terminal_columns();
    if (line.size() + name.size() >= columns) {
      const std::size_t room = columns > line.size() + 4 ? columns - line.size() - 4 : 0;
      name = room == 0 ? std::string() : "..." + name.substr(name.size() - room);
    }
    fmt::print(stderr, "\r\033[K{}{}", line, name);
    std::fflush(stderr);
    drawn_ = true;
  }

  static std::size_t terminal_columns() {
    winsize size{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 80;
  }

  std::size_t total_;
  bool tty_;
  bool drawn_ = false;
};

json activity_json(const activity::Stored& stored) {
  const auto full = activity::to_json(stored.activity, /*with_laps=*/false);
  json j{{"id", stored.activity.id},
         {"status", stored.created ? "created" : "duplicate"},
         {"sport_type", full.value("sport_type", "")},
         {"start_time", full.value("start_time", "")}};
  if (!stored.created) j["duplicate_reason"] = stored.duplicate_reason;
  return j;
}

json file_json(const FileResult& result) {
  json j{{"path", result.path}, {"status", outcome_name(result.outcome)}};
  if (result.error) {
    j["error"] = {{"code", code_name(result.error->code)}, {"message", result.error->message}};
    return j;
  }
  auto list = json::array();
  for (const auto& stored : result.activities) list.push_back(activity_json(stored));
  j["activities"] = std::move(list);
  if (!result.warnings.empty()) j["warnings"] = result.warnings;
  return j;
}

// The user, checked against --tenant when it is given. Emails are unique across the server (the user_logins index,
// migration 002), so an email names at most one user and needs no tenant to be unambiguous; --tenant is a guard
// against importing into the wrong account.
Result<auth::User> resolve_user(auth::UserService& users, const ImportOptions& options) {
  auto user = users.find_by_email(options.email);
  if (!user) {
    if (user.error().code == ErrorCode::invalid_input) {
      return fail(ErrorCode::invalid_input, "--user: " + user.error().message);
    }
    return std::unexpected(user.error());
  }
  if (options.tenant_slug.empty()) {
    if (!*user) return fail(ErrorCode::invalid_input, fmt::format("--user: no user with email {}", options.email));
    return std::move(**user);
  }
  auto tenants = users.list_tenants();
  if (!tenants) return std::unexpected(tenants.error());
  const auto tenant = std::find_if(tenants->begin(), tenants->end(),
                                   [&](const auth::Tenant& t) { return t.slug == options.tenant_slug; });
  if (tenant == tenants->end()) {
    return fail(ErrorCode::invalid_input, fmt::format("--tenant: no tenant with slug '{}'", options.tenant_slug));
  }
  if (!*user || (*user)->tenant_id != tenant->id) {
    return fail(ErrorCode::invalid_input,
                fmt::format("--user: no user with email {} in tenant '{}'", options.email, options.tenant_slug));
  }
  return std::move(**user);
}

}  // namespace

int run_import(auth::UserService& users, activity::Service& activities, const ImportOptions& options) {
  auto user = resolve_user(users, options);
  if (!user) {
    fmt::print(stderr, "pierre-admin: error: {}\n", user.error().message);
    return user.error().code == ErrorCode::invalid_input ? kExitUsage : kExitFailed;
  }
  auto list = collect_files(options.paths);
  if (!list) return usage_error(list.error().message);

  const activity::Owner owner{user->tenant_id, user->id};
  std::size_t created = 0, duplicates = 0, failed = 0;
  auto results = json::array();  // --json only (a few fields per file): the text summary needs the counts alone
  Progress progress(list->files.size());
  for (std::size_t i = 0; i < list->files.size(); ++i) {
    progress.starting(i, list->files[i]);
    auto result = import_one(activities, owner, list->files[i]);
    if (result.outcome == Outcome::failed) ++failed;
    for (const auto& stored : result.activities) ++(stored.created ? created : duplicates);
    progress.finished(i + 1, result);
    if (options.json) results.push_back(file_json(result));
  }
  progress.close();

  if (options.json) {
    const json summary{{"user", {{"id", user->id}, {"tenant_id", user->tenant_id}, {"email", user->email}}},
                       {"files", list->files.size()},
                       {"skipped", list->skipped},
                       {"activities_created", created},
                       {"duplicates", duplicates},
                       {"failed", failed},
                       {"results", std::move(results)}};
    fmt::print("{}\n", summary.dump());
  } else {
    fmt::print("user: {} ({}, tenant {})\n", user->email, user->id, user->tenant_id);
    fmt::print("files: {}\nskipped: {}\nactivities created: {}\nduplicates: {}\nfailed: {}\n", list->files.size(),
               list->skipped, created, duplicates, failed);
  }
  return failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace pierre::admin
