#pragma once
// A few threads for tool calls that run long (provider syncs, imports, calls waiting on the client), so they never
// block the I/O threads. Shared by the transports that run tools (MCP, A2A); each owns its own pool. Jobs left in
// the queue at destruction still run; each job watches its own cancel flag.

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pierre {

class JobPool {
 public:
  explicit JobPool(unsigned threads) {
    for (unsigned i = 0; i < std::max(1U, threads); ++i) {
      threads_.emplace_back([this] { work(); });
    }
  }
  ~JobPool() { stop(); }

  // Runs what is queued, then joins the threads. Idempotent.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  JobPool(const JobPool&) = delete;
  JobPool& operator=(const JobPool&) = delete;

  void post(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    ready_.notify_one();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace pierre
