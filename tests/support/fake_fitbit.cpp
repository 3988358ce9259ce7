#include "fake_fitbit.hpp"

namespace pierre::testing {

// Placeholder until the fake lands.
std::unique_ptr<FakeProvider> make_fake_fitbit() {
  return nullptr;
}

}  // namespace pierre::testing
