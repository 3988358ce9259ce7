#pragma once
// The master key wraps every tenant data key. Production supplies it (PIERRE_MASTER_ENCRYPTION_KEY); development may
// use one generated on first start and kept in a 0600 file beside the local database.

#include <filesystem>

#include "pierre/core/error.hpp"
#include "pierre/crypto/primitives.hpp"

namespace pierre::crypto {

inline constexpr std::size_t kMasterKeyBytes = 32;

struct DevMasterKey {
  Bytes key;
  bool created = false;  // true when this call generated and wrote it
};

// Reads `path` (base64, 32 bytes) or, when it does not exist, generates a random key and writes it with mode 0600.
// A file that exists but is unreadable or malformed is an error, never silently replaced: data encrypted with it
// would become unreadable.
Result<DevMasterKey> load_or_create_dev_master_key(const std::filesystem::path& path);

}  // namespace pierre::crypto
