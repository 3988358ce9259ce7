#include "pierre/providers/provider.hpp"

namespace pierre::providers {

// Placeholder until the client lands.
std::unique_ptr<Provider> make_garmin(Settings) {
  return nullptr;
}

}  // namespace pierre::providers
