#include "fake_strava.hpp"

namespace pierre::testing {

// Placeholder until the fake lands.
std::unique_ptr<FakeProvider> make_fake_strava() {
  return nullptr;
}

}  // namespace pierre::testing
