#include "pierre/auth/user_service.hpp"

#include "pierre/core/text.hpp"
#include "pierre/core/time.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "pierre/crypto/primitives.hpp"

namespace pierre::auth {
namespace {

constexpr std::string_view kInvalidLogin = "invalid email or password";

std::string new_id(std::string_view prefix) {
  return std::string(prefix) + crypto::hex_encode(crypto::random_bytes(12));
}

using text::is_space;

Result<User> user_from_row(const store::Row& row) {
  User u;
  auto id = row.get<std::string>("id");
  auto tenant = row.get<std::string>("tenant_id");
  auto email = row.get<std::string>("email");
  auto name = row.get<std::optional<std::string>>("display_name");
  auto role = row.get<std::string>("role");
  auto status = row.get<std::string>("status");
  auto created = row.get<std::int64_t>("created_at");
  if (!id || !tenant || !email || !name || !role || !status || !created) {
    return fail(ErrorCode::database_error, "malformed user row");
  }
  return User{*id, *tenant, *email, name->value_or(""), *role, *status, *created};
}

constexpr std::string_view kUserColumns = "id, tenant_id, email, display_name, role, status, created_at";

Result<std::string> check_display_name(std::string_view name) {
  std::string_view t = name;
  while (!t.empty() && is_space(t.front())) t.remove_prefix(1);
  while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
  if (t.size() > 200) return fail(ErrorCode::invalid_input, "display name must be at most 200 bytes");
  if (std::any_of(t.begin(), t.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return fail(ErrorCode::invalid_input, "display name must not contain control characters");
  }
  return std::string(t);
}

Result<Tenant> tenant_from_row(const store::Row& row) {
  auto id = row.get<std::string>("id");
  auto name = row.get<std::string>("name");
  auto slug = row.get<std::string>("slug");
  auto auto_approve = row.get<bool>("auto_approve");
  auto created = row.get<std::int64_t>("created_at");
  if (!id || !name || !slug || !auto_approve || !created) {
    return fail(ErrorCode::database_error, "malformed tenant row");
  }
  return Tenant{*id, *name, *slug, *auto_approve, *created};
}

struct NewAccount {
  std::string email;         // normalised
  std::string display_name;  // trimmed
};

// What setup and registration both check before touching the database.
Result<NewAccount> validate_new_account(std::string_view email, std::string_view password,
                                        std::string_view display_name) {
  auto normalized = normalize_email(email);
  if (!normalized) return std::unexpected(normalized.error());
  if (auto ok = check_password_policy(password, *normalized); !ok) return std::unexpected(ok.error());
  auto name = check_display_name(display_name);
  if (!name) return std::unexpected(name.error());
  return NewAccount{std::move(*normalized), std::move(*name)};
}

// One column of one account changed (`sql` sets ?1 and stamps ?2, the account is ?3); RESOURCE_NOT_FOUND when the
// tenant has no such account.
Result<void> update_account(store::Database& db, std::string_view tenant_id, std::string_view user_id,
                            std::string_view sql, std::string_view value) {
  auto r = db.tenant(store::TenantId(std::string(tenant_id)))
               .execute(sql, {std::string(value), now_epoch_ms(), std::string(user_id)});
  if (!r) return std::unexpected(r.error());
  if (*r == 0) return fail(ErrorCode::resource_not_found, "user not found");
  return {};
}

}  // namespace

Result<std::string> normalize_email(std::string_view email) {
  std::string_view t = email;
  while (!t.empty() && is_space(t.front())) t.remove_prefix(1);
  while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
  const auto invalid = [] {
    return fail(ErrorCode::invalid_input, "email address is not valid", {{"field", "email"}});
  };
  if (t.empty() || t.size() > 254) return invalid();
  std::string out;
  out.reserve(t.size());
  for (char c : t) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return invalid();
    out.push_back(static_cast<char>(std::tolower(u)));
  }
  const auto at = out.find('@');
  if (at == std::string::npos || at == 0 || out.find('@', at + 1) != std::string::npos) return invalid();
  const std::string_view domain = std::string_view(out).substr(at + 1);
  const auto dot = domain.find('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0 || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return invalid();
  }
  return out;
}

std::vector<std::string> scopes_for_role(std::string_view role) {
  std::vector<std::string> scopes{"mcp:read", "mcp:write"};
  if (role == "admin" || role == "super_admin") scopes.emplace_back("tenant:admin");
  if (role == "super_admin") scopes.emplace_back("server:admin");
  return scopes;
}

Result<bool> UserService::setup_completed() {
  auto row = db_.query_row("SELECT id FROM setup_state WHERE id = 1");
  if (!row) return std::unexpected(row.error());
  return row->has_value();
}

Result<std::optional<std::string>> UserService::default_tenant() {
  auto row = db_.query_row("SELECT default_tenant FROM setup_state WHERE id = 1");
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<std::string>{};
  auto tenant = (*row)->get<std::string>("default_tenant");
  if (!tenant) return fail(ErrorCode::database_error, "malformed setup_state row");
  return std::optional<std::string>{std::move(*tenant)};
}

Result<SetupResult> UserService::setup_admin(std::string_view email, std::string_view password,
                                             std::string_view display_name) {
  auto account = validate_new_account(email, password, display_name);
  if (!account) return std::unexpected(account.error());
  if (auto done = setup_completed(); !done) {
    return std::unexpected(done.error());
  } else if (*done) {
    return fail(ErrorCode::resource_already_exists, "setup has already been completed");
  }
  auto hash = hasher_.hash(password);
  if (!hash) return std::unexpected(hash.error());

  const std::string tenant_id = new_id("tnt_");
  const std::string user_id = new_id("usr_");
  const auto t = now_epoch_ms();
  auto txn = db_.begin();
  if (!txn) return std::unexpected(txn.error());
  // First statement: the single setup_state row. A concurrent setup blocks here (PostgreSQL) or at BEGIN
  // (SQLite) and then fails on the primary key.
  if (auto r = txn->execute("INSERT INTO setup_state (id, default_tenant, admin_user, completed_at)"
                            " VALUES (1, ?1, ?2, ?3)",
                            {tenant_id, user_id, t});
      !r) {
    if (r.error().code == ErrorCode::resource_already_exists) {
      return fail(ErrorCode::resource_already_exists, "setup has already been completed");
    }
    return std::unexpected(r.error());
  }
  if (auto r = txn->execute("INSERT INTO tenants (id, name, slug, created_at, auto_approve) VALUES (?1, ?2, ?3, ?4, 0)",
                            {tenant_id, std::string("Default"), std::string("default"), t});
      !r) {
    return std::unexpected(r.error());
  }
  if (auto r = txn->execute("INSERT INTO user_logins (email, owner_tenant, user_id) VALUES (?1, ?2, ?3)",
                            {account->email, tenant_id, user_id});
      !r) {
    return std::unexpected(r.error());
  }
  auto scope = txn->tenant(store::TenantId(tenant_id));
  if (auto r =
          scope.execute("INSERT INTO users (id, tenant_id, email, display_name, password_hash, role, status,"
                        " created_at, updated_at) VALUES (?1, :tenant, ?2, ?3, ?4, 'super_admin', 'active', ?5, ?5)",
                        {user_id, account->email, account->display_name, *hash, t});
      !r) {
    return std::unexpected(r.error());
  }
  if (auto c = txn->commit(); !c) return std::unexpected(c.error());
  return SetupResult{tenant_id,
                     User{user_id, tenant_id, account->email, account->display_name, "super_admin", "active", t}};
}

Result<std::string> UserService::create_tenant(std::string_view name, std::string_view slug, bool auto_approve) {
  if (name.empty() || name.size() > 200) return fail(ErrorCode::invalid_input, "tenant name must be 1 to 200 bytes");
  if (slug.empty() || slug.size() > 64 || !std::all_of(slug.begin(), slug.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      })) {
    return fail(ErrorCode::invalid_input, "tenant slug must be 1 to 64 of [a-z0-9-]");
  }
  const std::string id = new_id("tnt_");
  auto r = db_.execute("INSERT INTO tenants (id, name, slug, created_at, auto_approve) VALUES (?1, ?2, ?3, ?4, ?5)",
                       {id, std::string(name), std::string(slug), now_epoch_ms(), auto_approve});
  if (!r) return std::unexpected(r.error());
  return id;
}

Result<User> UserService::register_user(std::string_view tenant_id, std::string_view email, std::string_view password,
                                        std::string_view display_name) {
  auto account = validate_new_account(email, password, display_name);
  if (!account) return std::unexpected(account.error());
  auto tenant = db_.query_row("SELECT auto_approve FROM tenants WHERE id = ?1", {std::string(tenant_id)});
  if (!tenant) return std::unexpected(tenant.error());
  if (!*tenant) return fail(ErrorCode::resource_not_found, "tenant not found");
  auto auto_approve = (*tenant)->get<bool>("auto_approve");
  if (!auto_approve) return std::unexpected(auto_approve.error());
  auto hash = hasher_.hash(password);
  if (!hash) return std::unexpected(hash.error());

  return insert_account(tenant_id, account->email, account->display_name, *hash, "user",
                        *auto_approve ? "active" : "pending");
}

Result<std::vector<Tenant>> UserService::list_tenants() {
  auto rows = db_.query("SELECT id, name, slug, auto_approve, created_at FROM tenants ORDER BY created_at, id");
  if (!rows) return std::unexpected(rows.error());
  std::vector<Tenant> out;
  out.reserve(rows->rows.size());
  for (const auto& row : rows->rows) {
    auto tenant = tenant_from_row(row);
    if (!tenant) return std::unexpected(tenant.error());
    out.push_back(std::move(*tenant));
  }
  return out;
}

Result<Tenant> UserService::get_tenant(std::string_view tenant_id) {
  auto row = db_.query_row("SELECT id, name, slug, auto_approve, created_at FROM tenants WHERE id = ?1",
                           {std::string(tenant_id)});
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(ErrorCode::resource_not_found, "tenant not found");
  return tenant_from_row(**row);
}

Result<User> UserService::create_user(std::string_view tenant_id, std::string_view email, std::string_view password,
                                      std::string_view display_name, std::string_view role) {
  if (role != "admin" && role != "user") {
    return fail(ErrorCode::invalid_input, "role must be admin or user", {{"field", "role"}});
  }
  auto account = validate_new_account(email, password, display_name);
  if (!account) return std::unexpected(account.error());
  if (auto tenant = get_tenant(tenant_id); !tenant) return std::unexpected(tenant.error());
  auto hash = hasher_.hash(password);
  if (!hash) return std::unexpected(hash.error());

  return insert_account(tenant_id, account->email, account->display_name, *hash, role, "active");
}

// The login index row and the user row, in one transaction: an email is taken exactly once across the server.
Result<User> UserService::insert_account(std::string_view tenant_id, const std::string& email,
                                         const std::string& display_name, const std::string& password_hash,
                                         std::string_view role, std::string_view status) {
  const std::string user_id = new_id("usr_");
  const auto t = now_epoch_ms();
  auto txn = db_.begin();
  if (!txn) return std::unexpected(txn.error());
  if (auto r = txn->execute("INSERT INTO user_logins (email, owner_tenant, user_id) VALUES (?1, ?2, ?3)",
                            {email, std::string(tenant_id), user_id});
      !r) {
    if (r.error().code == ErrorCode::resource_already_exists) {
      return fail(ErrorCode::resource_already_exists, "an account with this email already exists");
    }
    return std::unexpected(r.error());
  }
  auto scope = txn->tenant(store::TenantId(std::string(tenant_id)));
  if (auto r = scope.execute("INSERT INTO users (id, tenant_id, email, display_name, password_hash, role, status,"
                             " created_at, updated_at) VALUES (?1, :tenant, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                             {user_id, email, display_name, password_hash, std::string(role), std::string(status), t});
      !r) {
    return std::unexpected(r.error());
  }
  if (auto c = txn->commit(); !c) return std::unexpected(c.error());
  return User{user_id, std::string(tenant_id), email, display_name, std::string(role), std::string(status), t};
}

Result<Identity> UserService::login(std::string_view email, std::string_view password) {
  const auto reject = [&] {
    hasher_.verify_dummy(password);
    return fail(ErrorCode::auth_invalid, std::string(kInvalidLogin));
  };
  auto normalized = normalize_email(email);
  if (!normalized || password.empty() || password.size() > kMaxPasswordBytes) return reject();
  auto login_row = db_.query_row("SELECT owner_tenant, user_id FROM user_logins WHERE email = ?1", {*normalized});
  if (!login_row) return std::unexpected(login_row.error());
  if (!*login_row) return reject();
  auto tenant_id = (*login_row)->get<std::string>("owner_tenant");
  auto user_id = (*login_row)->get<std::string>("user_id");
  if (!tenant_id || !user_id) return fail(ErrorCode::database_error, "malformed login row");

  auto scope = db_.tenant(store::TenantId(*tenant_id));
  auto row = scope.query_row("SELECT password_hash, role, status FROM users WHERE tenant_id = :tenant AND id = ?1",
                             {*user_id});
  if (!row) return std::unexpected(row.error());
  if (!*row) return reject();
  auto hash = (*row)->get<std::optional<std::string>>("password_hash");
  auto role = (*row)->get<std::string>("role");
  auto status = (*row)->get<std::string>("status");
  if (!hash || !role || !status) return fail(ErrorCode::database_error, "malformed user row");
  if (!*hash) return reject();
  if (!hasher_.verify(**hash, password)) return fail(ErrorCode::auth_invalid, std::string(kInvalidLogin));
  // The password is right: from here the caller may learn the account state.
  if (*status == "pending") return fail(ErrorCode::auth_invalid, "account pending approval");
  if (*status != "active") return fail(ErrorCode::auth_invalid, "account suspended");
  if (hasher_.needs_rehash(**hash)) {
    if (auto upgraded = hasher_.hash(password)) {
      // Best effort: a failure here must not fail a correct login.
      (void)scope.execute("UPDATE users SET password_hash = ?1, updated_at = ?2 WHERE tenant_id = :tenant AND id = ?3",
                          {*upgraded, now_epoch_ms(), *user_id});
    }
  }
  return Identity{*user_id, *tenant_id, *role, scopes_for_role(*role)};
}

Result<void> UserService::set_status(std::string_view tenant_id, std::string_view user_id, std::string_view status) {
  return update_account(db_, tenant_id, user_id,
                        "UPDATE users SET status = ?1, updated_at = ?2 WHERE tenant_id = :tenant AND id = ?3", status);
}

Result<void> UserService::approve(std::string_view tenant_id, std::string_view user_id) {
  return set_status(tenant_id, user_id, "active");
}

Result<void> UserService::suspend(std::string_view tenant_id, std::string_view user_id) {
  auto user = get_user(tenant_id, user_id);
  if (!user) return std::unexpected(user.error());
  if (user->role == "super_admin") return fail(ErrorCode::permission_denied, "the super admin cannot be suspended");
  return set_status(tenant_id, user_id, "suspended");
}

Result<void> UserService::set_role(std::string_view tenant_id, std::string_view user_id, std::string_view role) {
  if (role != "admin" && role != "user") {
    return fail(ErrorCode::invalid_input, "role must be admin or user", {{"field", "role"}});
  }
  auto user = get_user(tenant_id, user_id);
  if (!user) return std::unexpected(user.error());
  if (user->role == "super_admin") return fail(ErrorCode::permission_denied, "the super admin's role cannot change");
  return update_account(db_, tenant_id, user_id,
                        "UPDATE users SET role = ?1, updated_at = ?2 WHERE tenant_id = :tenant AND id = ?3", role);
}

Result<User> UserService::get_user(std::string_view tenant_id, std::string_view user_id) {
  auto scope = db_.tenant(store::TenantId(std::string(tenant_id)));
  auto row =
      scope.query_row("SELECT " + std::string(kUserColumns) + " FROM users WHERE tenant_id = :tenant AND id = ?1",
                      {std::string(user_id)});
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(ErrorCode::resource_not_found, "user not found");
  return user_from_row(**row);
}

Result<std::optional<User>> UserService::find_by_email(std::string_view email) {
  auto normalized = normalize_email(email);
  if (!normalized) return std::unexpected(normalized.error());
  // The global login index names the tenant; the users row is then read through that tenant's scope.
  auto login_row = db_.query_row("SELECT owner_tenant, user_id FROM user_logins WHERE email = ?1", {*normalized});
  if (!login_row) return std::unexpected(login_row.error());
  if (!*login_row) return std::optional<User>{};
  auto tenant_id = (*login_row)->get<std::string>("owner_tenant");
  auto user_id = (*login_row)->get<std::string>("user_id");
  if (!tenant_id || !user_id) return fail(ErrorCode::database_error, "malformed login row");
  auto user = get_user(*tenant_id, *user_id);
  if (!user) {
    if (user.error().code == ErrorCode::resource_not_found) return std::optional<User>{};
    return std::unexpected(user.error());
  }
  return std::optional<User>{std::move(*user)};
}

Result<UserPage> UserService::list_users(std::string_view tenant_id, std::string_view cursor, std::size_t limit,
                                         std::string_view status) {
  auto scope = db_.tenant(store::TenantId(std::string(tenant_id)));
  store::KeysetQuery q;
  q.list = "users";
  q.select = "SELECT " + std::string(kUserColumns) + " FROM users WHERE tenant_id = :tenant";
  if (!status.empty()) {
    // The filter is part of the list name: a cursor is only accepted with the same filter.
    q.list += "?status=" + std::string(status);
    q.select += " AND status = ?1";
    q.params = {std::string(status)};
  }
  q.limit = limit;
  q.after = std::string(cursor);
  auto page = store::fetch_page(scope, cursors_, q);
  if (!page) return std::unexpected(page.error());
  UserPage out;
  out.next_cursor = std::move(page->next_cursor);
  for (const auto& row : page->items) {
    auto u = user_from_row(row);
    if (!u) return std::unexpected(u.error());
    out.users.push_back(std::move(*u));
  }
  return out;
}

}  // namespace pierre::auth
