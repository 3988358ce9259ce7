// pierre-admin: offline administration of a Pierre database. It reads the server's configuration (environment plus
// a few of the server's flags) and works on the same store through the same services the server uses, so what it
// writes is exactly what the server would have written.
//
// Exit codes: 0 done; 1 the operation was refused or failed (setup already completed, database error, a file that
// import could not import); 2 usage, configuration or input error (unknown subcommand, wrong master key, weak
// password, bad email, unknown user).

#include <openssl/crypto.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "import_command.hpp"
#include "pierre/activity/service.hpp"
#include "pierre/auth/key_store.hpp"
#include "pierre/auth/password.hpp"
#include "pierre/auth/token_service.hpp"
#include "pierre/auth/user_service.hpp"
#include "pierre/core/config.hpp"
#include "pierre/core/log.hpp"
#include "pierre/crypto/master_key.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/store/database.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr const char* kNewMasterKeyEnv = "PIERRE_NEW_MASTER_ENCRYPTION_KEY";
constexpr const char* kAdminPasswordEnv = "PIERRE_ADMIN_PASSWORD";

// Errors the operator fixes by changing the command line or the environment exit 2; the rest exit 1.
int exit_code_for(const pierre::Error& error) {
  switch (error.code) {
    case pierre::ErrorCode::invalid_input:
    case pierre::ErrorCode::missing_required_field:
    case pierre::ErrorCode::invalid_format:
    case pierre::ErrorCode::value_out_of_range:
    case pierre::ErrorCode::config_error:
    case pierre::ErrorCode::config_missing:
    case pierre::ErrorCode::config_invalid: return kExitUsage;
    default: return kExitFailed;
  }
}

int report(const pierre::Error& error) {
  // One line on stderr. Messages are written for clients (no SQL, no secrets), the same ones the server prints.
  fmt::print(stderr, "pierre-admin: error: {}\n", error.message);
  return exit_code_for(error);
}

// Wipes a secret held in a std::string or byte vector once it is no longer needed.
template <typename Container>
void wipe(Container& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

// The server flags pierre-admin accepts, forwarded to config::parse so they are validated exactly as the server
// validates them; every other setting comes from the environment.
struct ServerFlags {
  std::string database_url;
  std::string data_dir;
  bool dev = false;
};

pierre::Result<pierre::config::Config> load_config(const ServerFlags& flags) {
  std::vector<std::string> args{"pierre-admin"};
  if (!flags.database_url.empty()) args.insert(args.end(), {"--database-url", flags.database_url});
  if (!flags.data_dir.empty()) args.insert(args.end(), {"--data-dir", flags.data_dir});
  if (flags.dev) args.emplace_back("--dev");
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& a : args) argv.push_back(a.c_str());
  auto parsed = pierre::config::parse(argv, pierre::config::process_env());
  if (!parsed) return std::unexpected(parsed.error());
  if (!parsed->config) return pierre::fail(pierre::ErrorCode::internal_error, "configuration was not produced");
  return std::move(*parsed->config);
}

// As the server resolves it (apps/pierre-mcp-server/main.cpp): the configured key, or in development the generated
// key file under the data directory, so the CLI opens exactly what a --dev server opens.
pierre::Result<void> resolve_master_key(pierre::config::Config& cfg) {
  if (!cfg.master_key.empty()) return {};
  if (cfg.environment != pierre::config::Environment::development) {
    return pierre::fail(pierre::ErrorCode::config_missing,
                        "PIERRE_MASTER_ENCRYPTION_KEY: not set (required in production; use --dev for the "
                        "development key file under the data directory)");
  }
  auto dev_key = pierre::crypto::load_or_create_dev_master_key(std::filesystem::path(cfg.data_dir) / "master.key");
  if (!dev_key) return std::unexpected(dev_key.error());
  cfg.master_key = std::move(dev_key->key);
  return {};
}

pierre::Result<std::unique_ptr<pierre::store::Database>> open_database(const std::string& url) {
  // sqlite:./data/pierre.db needs ./data to exist (setup may run before the server ever started).
  if (url.starts_with("sqlite:") && url != "sqlite::memory:") {
    const auto parent = std::filesystem::path(url.substr(7)).parent_path();
    std::error_code error;
    if (!parent.empty() && !std::filesystem::is_directory(parent, error)) {
      std::filesystem::create_directories(parent, error);
      if (error) {
        return pierre::fail(
            pierre::ErrorCode::config_invalid,
            fmt::format("DATABASE_URL: cannot create directory {}: {}", parent.string(), error.message()));
      }
    }
  }
  auto database = pierre::store::open(url);
  if (!database) {
    auto error = database.error();
    if (!error.message.starts_with("DATABASE_URL")) error.message = "DATABASE_URL: " + error.message;
    return std::unexpected(error);
  }
  return database;
}

// One line from stdin (the trailing newline, and a CR before it, removed).
// The database, verified against the master key the way the server's start verifies it (a wrong key stops here,
// before anything is written), and the cursor keys derived as the server derives them.
struct OpenedDatabase {
  std::unique_ptr<pierre::store::Database> database;
  std::unique_ptr<pierre::auth::KeyStore> key_store;
};

pierre::Result<OpenedDatabase> open_verified(pierre::config::Config& cfg) {
  if (auto key = resolve_master_key(cfg); !key) return std::unexpected(key.error());
  auto database = open_database(cfg.database_url);
  if (!database) return std::unexpected(database.error());
  auto key_store = pierre::auth::KeyStore::open(**database, cfg.master_key);
  if (!key_store) return std::unexpected(key_store.error());
  return OpenedDatabase{std::move(*database), std::move(*key_store)};
}

// Same derivation as apps/pierre-mcp-server/main.cpp ("pierre <purpose> cursor v1"), so cursors agree.
pierre::Result<pierre::store::CursorCodec> cursor_codec(const pierre::config::Config& cfg, std::string_view purpose) {
  const auto label = fmt::format("pierre {} cursor v1", purpose);
  return pierre::store::CursorCodec::create(
      pierre::crypto::hmac_sha256(cfg.master_key, pierre::crypto::as_bytes(label)));
}

pierre::Result<std::string> read_password_line() {
  std::string line;
  if (!std::getline(std::cin, line) && line.empty()) {
    return pierre::fail(pierre::ErrorCode::invalid_input, "--password-stdin: no password on standard input");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string format_epoch_ms(std::int64_t ms) {
  const auto seconds = static_cast<std::time_t>(ms / 1000);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(seconds));
}

// ── setup ───────────────────────────────────────────────────────────────────────────────────────────────────────

struct SetupArgs {
  std::string email;
  std::string display_name;
  bool password_stdin = false;
};

int run_setup(pierre::config::Config& cfg, const SetupArgs& args) {
  // Never a --password flag: it would be visible in `ps` and land in shell history.
  std::string password;
  if (args.password_stdin) {
    auto line = read_password_line();
    if (!line) return report(line.error());
    password = std::move(*line);
  } else if (auto env = pierre::config::process_env()(kAdminPasswordEnv)) {
    password = std::move(*env);
  } else {
    return report(pierre::Error(pierre::ErrorCode::config_missing,
                                fmt::format("no password: pass --password-stdin (one line on standard input) or "
                                            "set {}",
                                            kAdminPasswordEnv)));
  }

  // Opening verifies the master key (and records it on a fresh database) as the server's start does: setting up a
  // database with a key the server would then refuse would only postpone the error.
  auto opened = open_verified(cfg);
  if (!opened) return report(opened.error());
  const pierre::auth::PasswordHasher hasher;
  auto cursors = cursor_codec(cfg, "users");
  if (!cursors) return report(cursors.error());
  pierre::auth::UserService users(*opened->database, hasher, std::move(*cursors));
  auto setup = users.setup_admin(args.email, password, args.display_name);
  wipe(password);
  if (!setup) return report(setup.error());

  fmt::print("admin created: {}\nuser_id: {}\ntenant_id: {}\n", setup->admin.email, setup->admin.id, setup->tenant_id);
  return kExitOk;
}

// ── rotate-keys ─────────────────────────────────────────────────────────────────────────────────────────────────

int run_rotate_keys(pierre::config::Config& cfg) {
  auto opened = open_verified(cfg);
  if (!opened) return report(opened.error());

  // Rotation neither issues nor verifies tokens, so issuer and audience do not matter here; the lifetime does: the
  // retired key stays published until every token it signed has expired.
  pierre::auth::TokenService::Options options;
  options.issuer = cfg.public_url.empty() ? "pierre-admin" : cfg.public_url;
  options.audience = options.issuer + "/mcp";
  options.lifetime = std::chrono::hours(cfg.jwt_expiry_hours);
  options.rsa_bits = static_cast<int>(cfg.rsa_key_size);
  options.algorithm = cfg.jwt_algorithm == pierre::config::JwtAlgorithm::es256 ? pierre::crypto::JwtAlgorithm::es256
                                                                               : pierre::crypto::JwtAlgorithm::rs256;
  const auto algorithm = pierre::crypto::jwt_algorithm_name(options.algorithm);
  auto tokens = pierre::auth::TokenService::open(*opened->database, *opened->key_store, std::move(options));
  if (!tokens) return report(tokens.error());

  const std::string previous = (*tokens)->active_kid();
  if (auto rotated = (*tokens)->rotate(); !rotated) return report(rotated.error());
  fmt::print("new signing key: {} ({})\n", (*tokens)->active_kid(), algorithm);
  if (previous.empty()) {
    fmt::print("no previous signing key: this is the first one\n");
    return kExitOk;
  }
  auto row = opened->database->query_row("SELECT retire_after FROM signing_keys WHERE kid = ?1", {previous});
  if (!row) return report(row.error());
  std::optional<std::int64_t> retire_after;
  if (*row) {
    auto value = (*row)->get<std::optional<std::int64_t>>("retire_after");
    if (!value) return report(value.error());
    retire_after = *value;
  }
  fmt::print("retired signing key: {}, still in the JWKS until {} (when the last token it signed expires)\n", previous,
             retire_after ? format_epoch_ms(*retire_after) : std::string("unknown"));
  // TokenService picks up another process's rotation on restart (token_service.hpp).
  fmt::print("restart running servers so that they sign with the new key\n");
  return kExitOk;
}

// ── rotate-master-key ───────────────────────────────────────────────────────────────────────────────────────────

int run_rotate_master_key(pierre::config::Config& cfg) {
  // The development key file would still hold the old key afterwards, and a --dev server would then refuse to start;
  // rotating it is a deliberate act, so both keys must be given explicitly.
  if (cfg.master_key.empty()) {
    return report(pierre::Error(pierre::ErrorCode::config_missing,
                                "PIERRE_MASTER_ENCRYPTION_KEY: not set; rotate-master-key needs the current key in "
                                "the environment (the development key file is not rotated)"));
  }
  auto new_text = pierre::config::process_env()(kNewMasterKeyEnv);
  if (!new_text || new_text->empty()) {
    return report(pierre::Error(pierre::ErrorCode::config_missing,
                                fmt::format("{}: not set (the new key, base64 of 32 bytes; generate one with "
                                            "`openssl rand -base64 32`)",
                                            kNewMasterKeyEnv)));
  }
  auto new_key = pierre::config::decode_base64(*new_text);
  wipe(*new_text);
  if (!new_key || new_key->size() != 32) {
    if (new_key) wipe(*new_key);
    return report(pierre::Error(pierre::ErrorCode::config_invalid,
                                fmt::format("{}: must be 32 bytes, base64-encoded (generate one with `openssl rand "
                                            "-base64 32`)",
                                            kNewMasterKeyEnv)));
  }

  auto database = open_database(cfg.database_url);
  if (!database) {
    wipe(*new_key);
    return report(database.error());
  }
  auto rewrapped = pierre::auth::KeyStore::rotate_master_key(**database, cfg.master_key, *new_key);
  wipe(*new_key);
  wipe(cfg.master_key);
  if (!rewrapped) return report(rewrapped.error());
  fmt::print("re-wrapped {} tenant key{} under the new master key\n", *rewrapped, *rewrapped == 1 ? "" : "s");
  fmt::print(
      "set PIERRE_MASTER_ENCRYPTION_KEY to the new key before starting the server: the old key no longer "
      "opens this database\n");
  return kExitOk;
}

// ── import ──────────────────────────────────────────────────────────────────────────────────────────────────────

int run_import(pierre::config::Config& cfg, const pierre::admin::ImportOptions& options) {
  auto opened = open_verified(cfg);
  if (!opened) return report(opened.error());
  const pierre::auth::PasswordHasher hasher;
  auto user_cursors = cursor_codec(cfg, "users");
  if (!user_cursors) return report(user_cursors.error());
  pierre::auth::UserService users(*opened->database, hasher, std::move(*user_cursors));
  auto activity_cursors = cursor_codec(cfg, "activities");
  if (!activity_cursors) return report(activity_cursors.error());
  pierre::activity::Service activities(*opened->database, std::move(*activity_cursors));
  return pierre::admin::run_import(users, activities, options);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pierre-admin — offline administration of a Pierre MCP Server database", "pierre-admin"};
  app.set_version_flag("--version,-V", std::string("pierre-admin ") + PIERRE_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Configuration comes from the server's environment variables (DATABASE_URL, PIERRE_MASTER_ENCRYPTION_KEY,\n"
      "PIERRE_DATA_DIR, PIERRE_ENV, PIERRE_RSA_KEY_SIZE, PIERRE_JWT_ALGORITHM, JWT_EXPIRY_HOURS, ...);\n"
      "see docs/CONFIGURATION.md. Run `pierre-admin SUBCOMMAND --help` for a subcommand's options.\n"
      "Exit codes: 0 done, 1 operation refused or failed, 2 usage or configuration error.");

  ServerFlags flags;
  app.add_option("--database-url", flags.database_url, "sqlite:PATH or postgresql://... (env DATABASE_URL)");
  app.add_option("--data-dir", flags.data_dir, "directory of the development master key (env PIERRE_DATA_DIR)");
  app.add_flag("--dev", flags.dev, "development mode: use the generated master key under the data directory");

  SetupArgs setup_args;
  auto* setup = app.add_subcommand("setup", "create the first administrator (what POST /admin/setup does)");
  setup->fallthrough();
  setup->add_option("--email", setup_args.email, "the administrator's email address")->required();
  setup->add_option("--display-name", setup_args.display_name, "the administrator's display name");
  setup->add_flag(
      "--password-stdin", setup_args.password_stdin,
      fmt::format("read the password from the first line of standard input (else env {})", kAdminPasswordEnv));

  auto* rotate_keys = app.add_subcommand(
      "rotate-keys", "new JWT signing key; the previous one stays in the JWKS until its tokens have expired");
  rotate_keys->fallthrough();

  auto* rotate_master = app.add_subcommand(
      "rotate-master-key",
      fmt::format("re-wrap every tenant key under the new master key from env {} (stop all servers first)",
                  kNewMasterKeyEnv));
  rotate_master->fallthrough();

  pierre::admin::ImportOptions import_options;
  auto* import_cmd = app.add_subcommand(
      "import",
      "import FIT/GPX/TCX files into a user's activities (what POST /api/activities/import does); duplicates are "
      "recognised, not stored twice");
  import_cmd->fallthrough();
  import_cmd->add_option("--user", import_options.email, "the email of the user who owns the activities")->required();
  import_cmd->add_option("--tenant", import_options.tenant_slug,
                         "the slug of the user's tenant (optional: an email names one user across the server; when "
                         "given, the user must be in this tenant)");
  import_cmd->add_flag("--json", import_options.json,
                       "print the summary as one JSON object (with every file's outcome)");
  import_cmd
      ->add_option("paths", import_options.paths,
                   "files and directories; directories are walked recursively for *.fit, *.gpx, *.tcx (any case), "
                   "other files are skipped and counted")
      ->required();
  import_cmd->footer(fmt::format(
      "Progress goes to stderr (a bar on a terminal, one line per file otherwise), the summary to stdout.\n"
      "Files are read one at a time; files over {} MB are refused. Each file: created, duplicate or failed.\n"
      "Exit codes: 0 every file imported, 1 some file failed, 2 usage or configuration error.",
      pierre::activity::Service::kMaxFileBytes >> 20U));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports a mistyped subcommand as "A subcommand is required"; name the word the operator typed instead.
    const auto extras = app.remaining();
    const bool unknown_subcommand =
        app.get_subcommands().empty() && !extras.empty() && !extras.front().starts_with('-');
    fmt::print(stderr, "pierre-admin: error: {}\n\n{}",
               unknown_subcommand ? fmt::format("unknown subcommand '{}'", extras.front()) : std::string(e.what()),
               app.help());
    return kExitUsage;
  }

  auto cfg = load_config(flags);
  if (!cfg) return report(cfg.error());
  pierre::logging::init(cfg->log_level, cfg->log_format == pierre::config::LogFormat::json
                                            ? pierre::logging::Format::json
                                            : pierre::logging::Format::text);

  if (setup->parsed()) return run_setup(*cfg, setup_args);
  if (rotate_keys->parsed()) return run_rotate_keys(*cfg);
  if (import_cmd->parsed()) return run_import(*cfg, import_options);
  return run_rotate_master_key(*cfg);
}
