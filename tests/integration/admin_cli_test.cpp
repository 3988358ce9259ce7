// Black-box tests of the pierre-admin CLI: the real binary works on a fresh database (SQLite file and PostgreSQL
// schema), then the real server is started on that database and checked over HTTP (login, JWKS, an authenticated
// endpoint). Also: the server signs with ES256 when PIERRE_JWT_ALGORITHM=ES256, and `import` stores the same
// activities that the REST API then serves (real samples from ../shared/samples).
//
// Servers run with PIERRE_RSA_KEY_SIZE=2048 (fast key generation) and, within a test, on one fixed port, so the
// tokens' issuer and audience stay the same across restarts. Test names contain "admin_cli".

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "backend_fixture.hpp"
#include "identity_support.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/store/database.hpp"
#include "server_process.hpp"

extern char** environ;

namespace pierre::testing {
namespace {

using boost::beast::http::verb;
using nlohmann::json;
using Env = std::map<std::string, std::string>;

// A second valid master key (32 bytes, base64), for rotation.
constexpr const char* kNewMasterKey = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=";

std::string admin_binary() {
  if (const char* bin = std::getenv("PIERRE_ADMIN_BIN"); bin && *bin) return bin;
  return PIERRE_ADMIN_BIN_DEFAULT;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs pierre-admin to completion with `input` on stdin. The inherited environment loses every Pierre setting, so
// a developer's shell cannot change what a test sees; `env` supplies what the test wants.
RunResult run_admin(const TempDir& dir, const std::vector<std::string>& args, const Env& env,
                    const std::string& input = {}) {
  static int counter = 0;
  const auto base = dir.path() + "/admin-run-" + std::to_string(++counter);
  const auto in_path = base + ".in", out_path = base + ".out", err_path = base + ".err";
  std::ofstream(in_path) << input;

  std::map<std::string, std::string> all;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    const auto key = kv.substr(0, eq);
    if (key.starts_with("PIERRE_") || key == "DATABASE_URL" || key == "JWT_EXPIRY_HOURS") continue;
    all[key] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env) all[k] = v;
  std::vector<std::string> env_store;
  for (const auto& [k, v] : all) env_store.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  std::vector<std::string> argv_store{admin_binary()};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv_store[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const int exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return {exit_status, slurp(out_path), slurp(err_path)};
}

// Each test gets a fresh database on SQLite (a file) and on PostgreSQL (a new schema), and a temporary directory for
// the CLI's stdin/stdout files and the servers' data directory.
class AdminCliTest : public BackendTest {
 protected:
  // What pierre-admin needs in its environment to open the database the way the test servers do.
  Env admin_env(const std::string& master_key = kMasterKey) const {
    return {{"DATABASE_URL", url_},
            {"PIERRE_MASTER_ENCRYPTION_KEY", master_key},
            {"PIERRE_RSA_KEY_SIZE", "2048"},
            {"LOG_LEVEL", "warn"}};
  }

  // Tokens name the public URL (derived from the port) as issuer and audience; with --port 0 it would change on
  // every start. So every server of one test uses the same port, found once by binding port 0.
  LaunchOptions server_options(const std::string& master_key = kMasterKey) {
    if (port_ == 0) port_ = free_port();
    auto o = identity_server(dir_, url_);
    o.args[2] = std::to_string(port_);  // the value after --port
    o.env["PIERRE_MASTER_ENCRYPTION_KEY"] = master_key;
    return o;
  }

  RunResult cli_setup(const std::string& email = kAdminEmail) {
    return run_admin(dir_, {"setup", "--email", email, "--display-name", "Admin", "--password-stdin"}, admin_env(),
                     std::string(kAdminPassword) + "\n");
  }

  // Every system-level table that key management and setup write, as text: "nothing changed" means equal snapshots.
  std::string db_snapshot() const {
    auto db = store::open(url_);
    if (!db) return "open failed: " + db.error().message;
    std::string out;
    for (const char* sql :
         {"SELECT check_value FROM keyring_master",
          "SELECT owner_tenant, key_id, version, wrapped FROM tenant_keys ORDER BY owner_tenant, version",
          "SELECT kid, status, private_pem_encrypted, retire_after FROM signing_keys ORDER BY kid",
          "SELECT default_tenant, admin_user FROM setup_state", "SELECT email, user_id FROM user_logins"}) {
      auto rows = (*db)->query(sql);
      if (!rows) return std::string("query failed: ") + rows.error().message;
      for (const auto& row : rows->rows) {
        for (const auto& value : row.values()) {
          if (const auto* text = value.if_text()) out += *text;
          if (const auto* number = value.if_int64()) out += std::to_string(*number);
          out += "|";
        }
        out += "\n";
      }
      out += "--\n";
    }
    return out;
  }

  TempDir dir_;
  std::uint16_t port_ = 0;
};

std::string login_token(HttpClient& c, const std::string& email = kAdminEmail) {
  const json body{{"email", email}, {"password", kAdminPassword}};
  auto res = post_body(c, "/auth/login", body.dump());
  EXPECT_EQ(res.result_int(), 200) << res.body();
  return body_json(res).value("jwt_token", "");
}

json jwt_header(const std::string& token) {
  crypto::Bytes raw;
  EXPECT_TRUE(crypto::base64url_decode(token.substr(0, token.find('.')), raw)) << token;
  return json::parse(raw.begin(), raw.end(), nullptr, false);
}

HttpResponse list_users(HttpClient& c, const std::string& token) {
  return c.request(verb::get, "/admin/users", {}, {{"Authorization", "Bearer " + token}});
}

std::vector<std::string> jwks_kids(HttpClient& c) {
  auto res = c.get("/oauth2/jwks");
  EXPECT_EQ(res.result_int(), 200) << res.body();
  std::vector<std::string> kids;
  const auto body = body_json(res);  // named: a range-for over a temporary's member would dangle
  for (const auto& k : body["keys"]) kids.push_back(k.value("kid", ""));
  return kids;
}

// ── setup ──────────────────────────────────────────────────────────────────────────────────────────────────────

TEST_P(AdminCliTest, Setup_CreatesAnAdminWhoLogsInOverHttp) {
  const auto r = cli_setup();
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::HasSubstr("user_id: usr_"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("tenant_id: tnt_"));
  EXPECT_THAT(r.out + r.err, ::testing::Not(::testing::HasSubstr(kAdminPassword)));

  ServerProcess server(server_options());
  HttpClient c(server.port());
  const auto token = login_token(c);
  ASSERT_FALSE(token.empty());
  auto users = list_users(c, token);
  ASSERT_EQ(users.result_int(), 200) << users.body();
  const auto user_id = r.out.substr(r.out.find("user_id: ") + 9,
                                    r.out.find('\n', r.out.find("user_id: ")) - r.out.find("user_id: ") - 9);
  EXPECT_THAT(users.body(), ::testing::HasSubstr(user_id));
  EXPECT_THAT(users.body(), ::testing::HasSubstr("super_admin"));
  // The server agrees that setup is done.
  const json again{{"email", "other@example.com"}, {"password", kAdminPassword}, {"display_name", "Other"}};
  EXPECT_EQ(post_body(c, "/admin/setup", again.dump()).result_int(), 409);
}

TEST_P(AdminCliTest, Setup_SecondSetupExitsOneAndChangesNothing) {
  auto env = admin_env();
  env["PIERRE_ADMIN_PASSWORD"] = kAdminPassword;  // the other way to pass the password
  const auto first = run_admin(dir_, {"setup", "--email", kAdminEmail}, env);
  ASSERT_EQ(first.exit_status, 0) << first.err;
  const auto before = db_snapshot();

  const auto second = run_admin(dir_, {"setup", "--email", "second@example.com"}, env);
  EXPECT_EQ(second.exit_status, 1);
  EXPECT_THAT(second.err, ::testing::HasSubstr("setup has already been completed"));
  EXPECT_EQ(std::count(second.err.begin(), second.err.end(), '\n'), 1) << second.err;
  EXPECT_EQ(db_snapshot(), before);

  ServerProcess server(server_options());
  HttpClient c(server.port());
  EXPECT_FALSE(login_token(c).empty());
  const json other{{"email", "second@example.com"}, {"password", kAdminPassword}};
  EXPECT_EQ(post_body(c, "/auth/login", other.dump()).result_int(), 401);
}

TEST_P(AdminCliTest, Setup_BadInputIsAOneLineErrorWithExitTwo) {
  const auto weak = run_admin(dir_, {"setup", "--email", kAdminEmail, "--password-stdin"}, admin_env(), "short\n");
  EXPECT_EQ(weak.exit_status, 2);
  EXPECT_THAT(weak.err, ::testing::HasSubstr("password must be at least 12 characters"));
  EXPECT_THAT(weak.err, ::testing::Not(::testing::HasSubstr("short")));

  const auto email = run_admin(dir_, {"setup", "--email", "not-an-email", "--password-stdin"}, admin_env(),
                               "a long enough password\n");
  EXPECT_EQ(email.exit_status, 2);
  EXPECT_THAT(email.err, ::testing::HasSubstr("email address is not valid"));

  const auto no_password = run_admin(dir_, {"setup", "--email", kAdminEmail}, admin_env());
  EXPECT_EQ(no_password.exit_status, 2);
  EXPECT_THAT(no_password.err, ::testing::HasSubstr("PIERRE_ADMIN_PASSWORD"));

  const auto empty_stdin = run_admin(dir_, {"setup", "--email", kAdminEmail, "--password-stdin"}, admin_env());
  EXPECT_EQ(empty_stdin.exit_status, 2);

  // No --password flag exists: a password must never appear in argv.
  const auto flag = run_admin(dir_, {"setup", "--email", kAdminEmail, "--password", kAdminPassword}, admin_env());
  EXPECT_EQ(flag.exit_status, 2);

  // None of the above completed setup.
  EXPECT_EQ(cli_setup().exit_status, 0);
}

TEST(admin_cli_Usage, HelpAndUnknownSubcommands) {
  TempDir dir;
  const auto help = run_admin(dir, {"--help"}, {});
  EXPECT_EQ(help.exit_status, 0);
  for (const char* word :
       {"setup", "rotate-keys", "rotate-master-key", "import", "--database-url", "--dev", "--data-dir"}) {
    EXPECT_THAT(help.out, ::testing::HasSubstr(word));
  }
  const auto setup_help = run_admin(dir, {"setup", "--help"}, {});
  EXPECT_EQ(setup_help.exit_status, 0);
  EXPECT_THAT(setup_help.out, ::testing::HasSubstr("--password-stdin"));
  EXPECT_THAT(setup_help.out, ::testing::HasSubstr("--email"));
  const auto master_help = run_admin(dir, {"rotate-master-key", "--help"}, {});
  EXPECT_EQ(master_help.exit_status, 0);
  EXPECT_THAT(master_help.out, ::testing::HasSubstr("PIERRE_NEW_MASTER_ENCRYPTION_KEY"));

  const auto import_help = run_admin(dir, {"import", "--help"}, {});
  EXPECT_EQ(import_help.exit_status, 0);
  for (const char* word : {"--user", "--tenant", "--json", ".fit", ".gpx", ".tcx"}) {
    EXPECT_THAT(import_help.out, ::testing::HasSubstr(word));
  }
  EXPECT_EQ(run_admin(dir, {"import", "--user", "a@example.com"}, {}).exit_status, 2);  // no path
  EXPECT_EQ(run_admin(dir, {"import", dir.path()}, {}).exit_status, 2);                 // no --user

  const auto unknown = run_admin(dir, {"frobnicate"}, {});
  EXPECT_EQ(unknown.exit_status, 2);
  EXPECT_THAT(unknown.err, ::testing::HasSubstr("unknown subcommand 'frobnicate'"));
  EXPECT_THAT(unknown.err, ::testing::HasSubstr("Usage"));
  EXPECT_EQ(run_admin(dir, {}, {}).exit_status, 2);

  // Production without a master key is a configuration error, as for the server.
  const auto no_key = run_admin(dir, {"rotate-keys"}, {{"DATABASE_URL", "sqlite:" + dir.path() + "/pierre.db"}});
  EXPECT_EQ(no_key.exit_status, 2);
  EXPECT_THAT(no_key.err, ::testing::HasSubstr("PIERRE_MASTER_ENCRYPTION_KEY"));
}

// ── import ─────────────────────────────────────────────────────────────────────────────────────────────────────

std::string sample_bytes(const std::string& relative) {
  std::ifstream in(std::string(PIERRE_SAMPLES_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The file's activity ids from an import --json summary, by file name.
std::map<std::string, std::vector<std::string>> ids_by_file(const json& summary) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& file : summary["results"]) {
    const auto name = std::filesystem::path(file["path"].get<std::string>()).filename().string();
    for (const auto& a : file.value("activities", json::array())) out[name].push_back(a["id"]);
  }
  return out;
}

TEST_P(AdminCliTest, Import_DirectoryThenDuplicatesThenTheSameActivitiesOverRest) {
  ASSERT_EQ(cli_setup().exit_status, 0);
  // Three good files (one in a subdirectory, its extension in capitals), a truncated FIT and a text file.
  const auto in = dir_.path() + "/to-import";
  std::filesystem::create_directories(in + "/sub");
  const auto run = sample_bytes("fit/garmin-fenix-5-run.fit");
  write_file(in + "/garmin-fenix-5-run.fit", run);
  write_file(in + "/sub/KORITA.GPX", sample_bytes("gpx/korita-zbevnica.gpx"));
  write_file(in + "/test.tcx", sample_bytes("tcx/test.tcx"));
  const auto ride = sample_bytes("fit/garmin-edge-500-activity.fit");
  write_file(in + "/cut.fit", ride.substr(0, ride.size() * 6 / 10));
  write_file(in + "/notes.txt", "not an activity\n");

  // The GPX file holds three tracks with points: 1 + 3 + 1 activities.
  const auto first = run_admin(dir_, {"import", "--user", kAdminEmail, in}, admin_env());
  EXPECT_EQ(first.exit_status, 1) << first.err;
  EXPECT_THAT(first.out,
              ::testing::HasSubstr("files: 4\nskipped: 1\nactivities created: 5\nduplicates: 0\nfailed: 1\n"));
  // Not a terminal: one line per file on stderr, in path order; the failure says why.
  EXPECT_THAT(first.err, ::testing::HasSubstr("[1/4] failed    " + in + "/cut.fit: the file is truncated"));
  EXPECT_THAT(first.err, ::testing::HasSubstr("[4/4] created   " + in + "/test.tcx: act_"));
  EXPECT_THAT(first.err, ::testing::Not(::testing::HasSubstr("notes.txt")));

  // Again, scoped to the user's tenant, as JSON: every activity is a duplicate of the one stored the first time.
  const auto again =
      run_admin(dir_, {"import", "--user", kAdminEmail, "--tenant", "default", "--json", in}, admin_env());
  EXPECT_EQ(again.exit_status, 1) << again.err;
  const auto summary = json::parse(again.out, nullptr, false);
  ASSERT_TRUE(summary.is_object()) << again.out;
  EXPECT_EQ(summary["files"], 4);
  EXPECT_EQ(summary["skipped"], 1);
  EXPECT_EQ(summary["activities_created"], 0);
  EXPECT_EQ(summary["duplicates"], 5);
  EXPECT_EQ(summary["failed"], 1);
  std::set<std::string> cli_ids;
  for (const auto& file : summary["results"]) {
    if (file["status"] == "failed") {
      EXPECT_EQ(file["error"]["code"], "INVALID_FORMAT") << file.dump();
      continue;
    }
    EXPECT_EQ(file["status"], "duplicate") << file.dump();
    for (const auto& a : file["activities"]) {
      EXPECT_EQ(a["status"], "duplicate");
      EXPECT_EQ(a["duplicate_reason"], "same_source_id");
      cli_ids.insert(a["id"].get<std::string>());
    }
  }
  ASSERT_EQ(cli_ids.size(), 5u) << again.out;
  const auto by_file = ids_by_file(summary);
  ASSERT_EQ(by_file.at("garmin-fenix-5-run.fit").size(), 1u);

  // Unknown users and tenants are usage errors, and import nothing.
  const auto unknown = run_admin(dir_, {"import", "--user", "nobody@example.com", in}, admin_env());
  EXPECT_EQ(unknown.exit_status, 2);
  EXPECT_THAT(unknown.err, ::testing::HasSubstr("no user with email nobody@example.com"));
  const auto wrong_tenant =
      run_admin(dir_, {"import", "--user", kAdminEmail, "--tenant", "elsewhere", in}, admin_env());
  EXPECT_EQ(wrong_tenant.exit_status, 2);
  EXPECT_THAT(wrong_tenant.err, ::testing::HasSubstr("no tenant with slug 'elsewhere'"));
  const auto missing = run_admin(dir_, {"import", "--user", kAdminEmail, in + "/nothing-here"}, admin_env());
  EXPECT_EQ(missing.exit_status, 2);
  EXPECT_THAT(missing.err, ::testing::HasSubstr("no such file or directory"));
  // A file over the size limit is refused before it is read (a sparse file: no disk space used).
  const auto big = dir_.path() + "/big.fit";
  write_file(big, "");
  std::filesystem::resize_file(big, (64u << 20U) + 1);
  const auto too_big = run_admin(dir_, {"import", "--user", kAdminEmail, big}, admin_env());
  EXPECT_EQ(too_big.exit_status, 1);
  EXPECT_THAT(too_big.err, ::testing::HasSubstr("files larger than 64 MB are not accepted"));
  EXPECT_THAT(too_big.out,
              ::testing::HasSubstr("files: 1\nskipped: 0\nactivities created: 0\nduplicates: 0\nfailed: 1\n"));
  // Only good files: exit 0.
  const auto one = run_admin(dir_, {"import", "--user", kAdminEmail, in + "/test.tcx"}, admin_env());
  EXPECT_EQ(one.exit_status, 0) << one.err;
  EXPECT_THAT(one.out, ::testing::HasSubstr("files: 1\nskipped: 0\nactivities created: 0\nduplicates: 1\nfailed: 0\n"));

  // The server on the same database shows the user exactly these activities...
  ServerProcess server(server_options());
  HttpClient c(server.port());
  const auto token = login_token(c);
  ASSERT_FALSE(token.empty());
  const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + token}};
  auto list = c.request(verb::get, "/api/activities?limit=200", {}, auth);
  ASSERT_EQ(list.result_int(), 200) << list.body();
  std::set<std::string> rest_ids;
  const auto listed = body_json(list);
  for (const auto& a : listed["activities"]) rest_ids.insert(a["id"].get<std::string>());
  EXPECT_EQ(rest_ids, cli_ids);

  // ...and importing one of the files over REST finds the activity the CLI stored.
  auto headers = auth;
  headers["Content-Type"] = "application/octet-stream";
  auto rest = c.request(verb::post, "/api/activities/import?filename=run.fit", run, headers);
  ASSERT_EQ(rest.result_int(), 200) << rest.body();
  const auto imported = body_json(rest);
  ASSERT_EQ(imported["activities"].size(), 1u) << rest.body();
  EXPECT_EQ(imported["activities"][0]["status"], "duplicate");
  EXPECT_EQ(imported["activities"][0]["id"], by_file.at("garmin-fenix-5-run.fit").front());
}

// ── rotate-keys ────────────────────────────────────────────────────────────────────────────────────────────────

TEST_P(AdminCliTest, RotateKeys_OldTokensKeepWorkingAndNewLoginsUseTheNewKey) {
  ASSERT_EQ(cli_setup().exit_status, 0);
  std::string old_token;
  {
    ServerProcess server(server_options());
    HttpClient c(server.port());
    old_token = login_token(c);
    ASSERT_FALSE(old_token.empty());
  }
  const std::string old_kid = jwt_header(old_token)["kid"];

  const auto r = run_admin(dir_, {"rotate-keys"}, admin_env());
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::HasSubstr("retired signing key: " + old_kid));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("until 20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T"));
  const auto at = r.out.find("new signing key: ") + 17;
  const auto new_kid = r.out.substr(at, r.out.find(' ', at) - at);
  ASSERT_FALSE(new_kid.empty());
  ASSERT_NE(new_kid, old_kid);

  ServerProcess server(server_options());
  HttpClient c(server.port());
  EXPECT_THAT(jwks_kids(c), ::testing::UnorderedElementsAre(old_kid, new_kid));
  // A token signed before the rotation still authenticates...
  auto users = list_users(c, old_token);
  EXPECT_EQ(users.result_int(), 200) << users.body();
  // ...and new tokens carry the new key id.
  const auto new_token = login_token(c);
  EXPECT_EQ(jwt_header(new_token)["kid"], new_kid);
  EXPECT_EQ(list_users(c, new_token).result_int(), 200);
}

TEST_P(AdminCliTest, RotateKeys_CreatesTheFirstKeyWhenThereIsNone) {
  ASSERT_EQ(cli_setup().exit_status, 0);
  auto env = admin_env();
  env["PIERRE_JWT_ALGORITHM"] = "ES256";
  const auto r = run_admin(dir_, {"rotate-keys"}, env);
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::HasSubstr("(ES256)"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("no previous signing key"));

  ServerProcess server(server_options());
  HttpClient c(server.port());
  ASSERT_EQ(jwks_kids(c).size(), 1u);
  EXPECT_EQ(jwt_header(login_token(c))["alg"], "ES256");
}

// ── rotate-master-key ──────────────────────────────────────────────────────────────────────────────────────────

TEST_P(AdminCliTest, RotateMasterKey_NewKeyOpensTheDatabaseAndOldTokensStillVerify) {
  ASSERT_EQ(cli_setup().exit_status, 0);
  std::string token;
  {
    // The first login generates the signing key, whose private PEM is encrypted with the system tenant key.
    ServerProcess server(server_options());
    HttpClient c(server.port());
    token = login_token(c);
    ASSERT_FALSE(token.empty());
  }
  const auto before = db_snapshot();

  auto env = admin_env();
  env["PIERRE_NEW_MASTER_ENCRYPTION_KEY"] = kNewMasterKey;
  const auto r = run_admin(dir_, {"rotate-master-key"}, env);
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::HasSubstr("re-wrapped 1 tenant key"));
  EXPECT_THAT(r.out + r.err, ::testing::Not(::testing::HasSubstr(kNewMasterKey)));
  EXPECT_THAT(r.out + r.err, ::testing::Not(::testing::HasSubstr(kMasterKey)));
  const auto after = db_snapshot();
  EXPECT_NE(after, before);
  // Data encrypted with tenant keys (the signing key's PEM) is untouched: only wrapped keys and the check value move.
  auto signing_rows = [](const std::string& snapshot) {
    const auto start = snapshot.find("--\n", snapshot.find("--\n") + 3) + 3;
    return snapshot.substr(start, snapshot.find("--\n", start) - start);
  };
  EXPECT_EQ(signing_rows(after), signing_rows(before));

  {
    ServerProcess server(server_options(kNewMasterKey));
    HttpClient c(server.port());
    auto users = list_users(c, token);
    EXPECT_EQ(users.result_int(), 200) << users.body();
    const auto fresh = login_token(c);
    EXPECT_EQ(jwt_header(fresh)["kid"], jwt_header(token)["kid"]);
  }

  // The old key no longer opens the database, and trying leaves it as it was.
  const auto rotated = db_snapshot();
  const auto old = server_options(kMasterKey);
  const auto refused = run_to_exit(old.args, old.env);
  EXPECT_NE(refused.exit_status, 0);
  EXPECT_THAT(refused.err, ::testing::HasSubstr("PIERRE_MASTER_ENCRYPTION_KEY does not match"));
  EXPECT_EQ(db_snapshot(), rotated);
}

TEST_P(AdminCliTest, RotateMasterKey_WrongCurrentKeyOrBadNewKeyChangesNothing) {
  ASSERT_EQ(cli_setup().exit_status, 0);
  std::string token;
  {
    ServerProcess server(server_options());
    HttpClient c(server.port());
    token = login_token(c);
  }
  const auto before = db_snapshot();

  auto wrong = admin_env(kNewMasterKey);  // not the key this database was encrypted with
  wrong["PIERRE_NEW_MASTER_ENCRYPTION_KEY"] = "MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=";
  const auto r = run_admin(dir_, {"rotate-master-key"}, wrong);
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("PIERRE_MASTER_ENCRYPTION_KEY does not match"));
  EXPECT_EQ(db_snapshot(), before);

  auto malformed = admin_env();
  malformed["PIERRE_NEW_MASTER_ENCRYPTION_KEY"] = "dG9vIHNob3J0";
  const auto bad = run_admin(dir_, {"rotate-master-key"}, malformed);
  EXPECT_EQ(bad.exit_status, 2);
  EXPECT_THAT(bad.err, ::testing::HasSubstr("PIERRE_NEW_MASTER_ENCRYPTION_KEY: must be 32 bytes"));
  EXPECT_EQ(db_snapshot(), before);

  const auto missing = run_admin(dir_, {"rotate-master-key"}, admin_env());
  EXPECT_EQ(missing.exit_status, 2);
  EXPECT_THAT(missing.err, ::testing::HasSubstr("PIERRE_NEW_MASTER_ENCRYPTION_KEY: not set"));

  auto same = admin_env();
  same["PIERRE_NEW_MASTER_ENCRYPTION_KEY"] = kMasterKey;
  EXPECT_EQ(run_admin(dir_, {"rotate-master-key"}, same).exit_status, 2);
  EXPECT_EQ(db_snapshot(), before);

  ServerProcess server(server_options());
  HttpClient c(server.port());
  EXPECT_EQ(list_users(c, token).result_int(), 200);
}

// ── ES256 ──────────────────────────────────────────────────────────────────────────────────────────────────────

TEST_P(AdminCliTest, Es256_ServerSignsWithEs256AndPublishesAnEcKey) {
  ASSERT_EQ(cli_setup().exit_status, 0);
  auto options = server_options();
  options.env["PIERRE_JWT_ALGORITHM"] = "ES256";
  ServerProcess server(options);
  HttpClient c(server.port());
  const auto token = login_token(c);
  ASSERT_FALSE(token.empty());
  const auto header = jwt_header(token);
  EXPECT_EQ(header["alg"], "ES256");
  auto res = c.get("/oauth2/jwks");
  const auto keys = body_json(res)["keys"];
  ASSERT_EQ(keys.size(), 1u) << res.body();
  EXPECT_EQ(keys[0]["kty"], "EC");
  EXPECT_EQ(keys[0]["crv"], "P-256");
  EXPECT_EQ(keys[0]["kid"], header["kid"]);
  EXPECT_EQ(list_users(c, token).result_int(), 200);
}

INSTANTIATE_TEST_SUITE_P(admin_cli, AdminCliTest, ::testing::Values("sqlite_file", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace pierre::testing
