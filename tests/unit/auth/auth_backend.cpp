#include "auth_backend.hpp"

namespace pierre::auth::testing {

const PasswordHasher& fast_hasher() {
  static const PasswordHasher hasher = *PasswordHasher::with_params({1, 8192});
  return hasher;
}

}  // namespace pierre::auth::testing
