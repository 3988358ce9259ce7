#pragma once
// A fixed-size pool of backend connections. acquire() hands out a Lease (RAII) that returns the connection on
// destruction after Connection::reset_after_use(), so a forgotten transaction never leaks into the next user.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "connection.hpp"
#include "pierre/core/error.hpp"

namespace pierre::store::detail {

class ConnectionPool {
 public:
  using Factory = std::function<Result<std::unique_ptr<Connection>>()>;

  // Opens `size` connections up front, so a bad password or an unreachable server fails at start-up.
  static Result<std::unique_ptr<ConnectionPool>> create(const Factory& factory, std::size_t size,
                                                        std::chrono::milliseconds acquire_timeout);

  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)), holder_(other.holder_) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Connection& operator*() const noexcept { return *conn_; }
    Connection* operator->() const noexcept { return conn_.get(); }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> conn, std::thread::id holder) noexcept
        : pool_(pool), conn_(std::move(conn)), holder_(holder) {}
    ConnectionPool* pool_;
    std::unique_ptr<Connection> conn_;
    std::thread::id holder_;  // the thread that acquired it
  };

  // Waits up to the acquire timeout. Fails at once (internal_error) when every connection is already leased to
  // the calling thread — waiting would deadlock (e.g. calling the Database while holding a Transaction on
  // sqlite::memory:, whose pool has one connection).
  Result<Lease> acquire();

  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  ConnectionPool(std::size_t size, std::chrono::milliseconds timeout) noexcept : size_(size), timeout_(timeout) {}
  void release(std::unique_ptr<Connection> conn, std::thread::id holder) noexcept;

  const std::size_t size_;
  const std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::vector<std::thread::id> holders_;  // one entry per leased connection
};

}  // namespace pierre::store::detail
