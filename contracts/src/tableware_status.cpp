#include "medtrail/contracts/tableware.h"

namespace medtrail::contracts {

std::string tableware_key(std::string_view batch_code) { return "tw/" + std::string(batch_code); }

std::string batch_citizen_status(const nlohmann::json& batch_state, int64_t now_ms) {
  if (!batch_state.is_object()) return "unknown";
  auto status = batch_state.find("status");
  auto use_by = batch_state.find("use_by_ms");
  if (status == batch_state.end() || !status->is_string() || use_by == batch_state.end() ||
      !use_by->is_number_integer()) {
    return "unknown";
  }
  const std::string& s = status->get_ref<const std::string&>();
  if (s == "recalled" || s == "held") return s;
  if (s != "passed") return "unknown";
  // Same boundary as tableware.ship: the use-by instant itself is still within the period.
  return now_ms > use_by->get<int64_t>() ? "expired" : "safe";
}

}  // namespace medtrail::contracts
