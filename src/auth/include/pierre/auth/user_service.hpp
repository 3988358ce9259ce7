#pragma once
// UserService: first-admin setup, registration, login and account administration over `tenants`, `users` (tenant
// scoped), `user_logins` (global email index) and `setup_state` (migration 002).
//
// Emails are normalised (ASCII whitespace trimmed, ASCII lower-cased) and validated (one '@', non-empty local part,
// a dotted domain, no spaces or control characters, at most 254 bytes); invalid_input otherwise. They are unique
// across the server, as in Pierre: a second registration with the same email is resource_already_exists.
//
// setup_admin: creates the default tenant and its super_admin (active) in one transaction that also inserts the
// single setup_state row; exactly one call can ever commit, every other (concurrent or later) call gets
// resource_already_exists "setup has already been completed".
//
// login — decision: unknown email and wrong password both give auth_invalid "invalid email or password", and an
// unknown email still costs one Argon2id verification (PasswordHasher::verify_dummy). Only after the password has
// been verified does a pending or suspended account get a distinct message (auth_invalid "account pending approval"
// / "account suspended"), as Pierre does for pending accounts: it reveals the account state only to someone who
// already knows the password. A hash made with older Argon2 parameters is upgraded on successful login.
//
// Roles: "super_admin" (setup only), "admin", "user". Statuses: "pending", "active", "suspended".
// Thread safety: all members may be called concurrently.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pierre/auth/identity.hpp"
#include "pierre/auth/password.hpp"
#include "pierre/core/error.hpp"
#include "pierre/store/database.hpp"
#include "pierre/store/pagination.hpp"

namespace pierre::auth {

// Trimmed, lower-cased, validated email (invalid_input otherwise).
Result<std::string> normalize_email(std::string_view email);

// Scopes carried in tokens for a role.
std::vector<std::string> scopes_for_role(std::string_view role);

struct User {
  std::string id;
  std::string tenant_id;
  std::string email;
  std::string display_name;
  std::string role;
  std::string status;
  std::int64_t created_at = 0;  // epoch ms
};

struct Tenant {
  std::string id;
  std::string name;
  std::string slug;
  bool auto_approve = false;
  std::int64_t created_at = 0;  // epoch ms
};

struct SetupResult {
  std::string tenant_id;
  User admin;
};

struct UserPage {
  std::vector<User> users;
  std::optional<std::string> next_cursor;
};

class UserService {
 public:
  // `db` and `hasher` must outlive the service. `cursors` signs list_users cursors.
  UserService(store::Database& db, const PasswordHasher& hasher, store::CursorCodec cursors) noexcept
      : db_(db), hasher_(hasher), cursors_(std::move(cursors)) {}

  Result<SetupResult> setup_admin(std::string_view email, std::string_view password, std::string_view display_name);
  [[nodiscard]] Result<bool> setup_completed();
  // The tenant setup_admin created; nullopt before setup.
  [[nodiscard]] Result<std::optional<std::string>> default_tenant();

  // A tenant (not the default one); auto_approve makes registrations active at once.
  Result<std::string> create_tenant(std::string_view name, std::string_view slug, bool auto_approve = false);

  // Every tenant, oldest first (the default tenant included).
  [[nodiscard]] Result<std::vector<Tenant>> list_tenants();
  // resource_not_found for an unknown id.
  [[nodiscard]] Result<Tenant> get_tenant(std::string_view tenant_id);

  // An account created by an administrator: active at once, `role` "admin" or "user" (invalid_input otherwise).
  // Same email/password/display-name rules as registration; resource_not_found for an unknown tenant,
  // resource_already_exists when the email is taken (in any tenant).
  Result<User> create_user(std::string_view tenant_id, std::string_view email, std::string_view password,
                           std::string_view display_name, std::string_view role);

  // A "user" in `tenant_id`: status "active" when the tenant auto-approves, else "pending".
  // resource_not_found for an unknown tenant.
  Result<User> register_user(std::string_view tenant_id, std::string_view email, std::string_view password,
                             std::string_view display_name);
  Result<Identity> login(std::string_view email, std::string_view password);

  // Status changes within a tenant; resource_not_found when the user is not in that tenant.
  Result<void> approve(std::string_view tenant_id, std::string_view user_id);
  Result<void> suspend(std::string_view tenant_id, std::string_view user_id);
  // "admin" or "user" (INVALID_INPUT otherwise); the super_admin's role cannot be changed (PERMISSION_DENIED).
  Result<void> set_role(std::string_view tenant_id, std::string_view user_id, std::string_view role);
  Result<User> get_user(std::string_view tenant_id, std::string_view user_id);
  // The account with this email, in whichever tenant holds it (emails are unique across the server, so there is at
  // most one); nullopt when there is none. invalid_input for a malformed email. For offline tools (pierre-admin):
  // request handlers know their tenant and use get_user.
  Result<std::optional<User>> find_by_email(std::string_view email);
  // Newest first; `cursor` is the previous page's next_cursor ("" for the first page). A non-empty `status` keeps
  // only users with that status; a cursor is only valid with the status filter it was minted under.
  Result<UserPage> list_users(std::string_view tenant_id, std::string_view cursor, std::size_t limit = 50,
                              std::string_view status = {});

 private:
  Result<void> set_status(std::string_view tenant_id, std::string_view user_id, std::string_view status);
  Result<User> insert_account(std::string_view tenant_id, const std::string& email, const std::string& display_name,
                              const std::string& password_hash, std::string_view role, std::string_view status);

  store::Database& db_;
  const PasswordHasher& hasher_;
  store::CursorCodec cursors_;
};

}  // namespace pierre::auth
