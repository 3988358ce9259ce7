#include "pierre/store/value.hpp"

namespace pierre::store {

const Value* Row::find(std::string_view column) const noexcept {
  const auto& names = *columns_;
  for (std::size_t i = 0; i < names.size() && i < values_.size(); ++i) {
    if (names[i] == column) return &values_[i];
  }
  return nullptr;
}

Error Row::type_error(std::string_view column, std::string_view expected) {
  return Error(ErrorCode::database_error,
               "column '" + std::string(column) + "' does not hold " + std::string(expected));
}

}  // namespace pierre::store
