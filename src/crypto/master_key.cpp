#include "pierre/crypto/master_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "pierre/core/config.hpp"

namespace pierre::crypto {

Result<DevMasterKey> load_or_create_dev_master_key(const std::filesystem::path& path) {
  std::error_code fs_error;
  if (std::filesystem::exists(path, fs_error)) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::string encoded = text.str();
    while (!encoded.empty() && (encoded.back() == '\n' || encoded.back() == '\r')) encoded.pop_back();
    auto key = config::decode_base64(encoded);
    if (!in || !key || key->size() != kMasterKeyBytes) {
      return fail(ErrorCode::config_invalid,
                  fmt::format("PIERRE_MASTER_ENCRYPTION_KEY: development key file {} is unreadable or not 32 bytes "
                              "of base64; fix or remove it (removing makes existing encrypted data unreadable)",
                              path.string()));
    }
    return DevMasterKey{std::move(*key), false};
  }

  std::filesystem::create_directories(path.parent_path(), fs_error);
  auto key = random_bytes(kMasterKeyBytes);
  const std::string encoded = config::encode_base64(key) + "\n";
  // O_EXCL: if two processes start at once, exactly one creates the key and the other fails instead of both
  // writing different keys.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    return fail(ErrorCode::config_invalid,
                fmt::format("PIERRE_MASTER_ENCRYPTION_KEY: cannot create development key file {}", path.string()));
  }
  const auto written = ::write(fd, encoded.data(), encoded.size());
  const bool ok = written == static_cast<ssize_t>(encoded.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    std::filesystem::remove(path, fs_error);
    return fail(ErrorCode::config_invalid,
                fmt::format("PIERRE_MASTER_ENCRYPTION_KEY: cannot write development key file {}", path.string()));
  }
  return DevMasterKey{std::move(key), true};
}

}  // namespace pierre::crypto
