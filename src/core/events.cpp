#include "pierre/core/events.hpp"

#include <vector>

#include "pierre/core/time.hpp"

namespace pierre::events {

void LocalHub::publish(Event event) {
  std::vector<Subscriber> targets;
  {
    const std::lock_guard lock(mutex_);
    event.sequence = ++sequence_;
    event.at_ms = now_epoch_ms();
    targets.reserve(subscribers_.size());
    for (const auto& [id, s] : subscribers_) targets.push_back(s);
  }
  // Outside the lock: a subscriber may publish or unsubscribe.
  for (const auto& s : targets) s(event);
}

std::uint64_t LocalHub::subscribe(Subscriber subscriber) {
  const std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  subscribers_.emplace(id, std::move(subscriber));
  return id;
}

void LocalHub::unsubscribe(std::uint64_t id) {
  const std::lock_guard lock(mutex_);
  subscribers_.erase(id);
}

}  // namespace pierre::events
