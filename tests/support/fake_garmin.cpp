#include "fake_garmin.hpp"

namespace pierre::testing {

// Placeholder until the fake lands.
std::unique_ptr<FakeProvider> make_fake_garmin() {
  return nullptr;
}

}  // namespace pierre::testing
