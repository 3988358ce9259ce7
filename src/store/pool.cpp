#include "pool.hpp"

#include <algorithm>

namespace pierre::store::detail {

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::create(const Factory& factory, std::size_t size,
                                                               std::chrono::milliseconds acquire_timeout) {
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(std::max<std::size_t>(size, 1), acquire_timeout));
  for (std::size_t i = 0; i < pool->size_; ++i) {
    auto conn = factory();
    if (!conn) return std::unexpected(std::move(conn.error()));
    pool->idle_.push_back(std::move(*conn));
  }
  return pool;
}

Result<ConnectionPool::Lease> ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  const auto me = std::this_thread::get_id();
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  while (idle_.empty()) {
    if (static_cast<std::size_t>(std::count(holders_.begin(), holders_.end(), me)) == size_) {
      return fail(ErrorCode::internal_error,
                  "database connection requested while this thread holds every pooled connection "
                  "(use the open Transaction instead)");
    }
    if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty()) {
      return fail(ErrorCode::resource_unavailable, "database is busy: no free connection");
    }
  }
  auto conn = std::move(idle_.back());
  idle_.pop_back();
  holders_.push_back(me);
  return Lease(this, std::move(conn), me);
}

void ConnectionPool::release(std::unique_ptr<Connection> conn, std::thread::id holder) noexcept {
  conn->reset_after_use();
  {
    std::lock_guard lock(mutex_);
    if (const auto it = std::find(holders_.begin(), holders_.end(), holder); it != holders_.end()) {
      holders_.erase(it);
    }
    idle_.push_back(std::move(conn));
  }
  available_.notify_one();
}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr && conn_) pool_->release(std::move(conn_), holder_);
}

}  // namespace pierre::store::detail
