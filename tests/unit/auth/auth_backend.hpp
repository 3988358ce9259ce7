#pragma once
// Test fixture shared by the database-backed auth suites: a fresh database per test on each backend.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pierre/auth/password.hpp"
#include "pierre/core/error.hpp"
#include "pierre/crypto/primitives.hpp"
#include "pierre/store/database.hpp"

#include "backend_fixture.hpp"

namespace pierre::auth::testing {

using pierre::testing::describe;
using pierre::testing::random_hex;

// Argon2id at libsodium's minimums, so tests that hash many passwords stay fast.
const PasswordHasher& fast_hasher();

class AuthBackendTest : public pierre::testing::BackendTest {
 protected:
  crypto::Bytes master_ = crypto::random_bytes(32);
};

// Backends whose data outlives a connection (restart tests).
class AuthPersistentTest : public AuthBackendTest {};

}  // namespace pierre::auth::testing
