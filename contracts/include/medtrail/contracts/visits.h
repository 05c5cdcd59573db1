#pragma once
// Consultations (门诊就诊), offline at the institution or online (互联网诊疗): the visit itself as a
// record, so that an online prescription or consultation can name the offline visit it follows up,
// and the internet-hospital supervision trail exists (互联网诊疗管理办法（试行）art. 24: 全程留痕、
// 可追溯). See docs/contracts.md "Consultations".
//
// State key: visit/<visit_id> (the visit.record's record id)   visits::Visit
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "medtrail/contracts/state_codec.h"

namespace medtrail::contracts::visits {

struct Visit {
  std::string org;     // the hospital or clinic
  std::string doctor;  // "<org>/<user>"
  std::string patient_ref;
  std::string channel;  // "offline" or "online"
  // The clinical diagnosis of an offline visit; null when sealed, and always null online (an
  // online visit continues the diagnosis of the offline record it follows).
  std::optional<std::string> diagnosis_code;
  std::optional<std::string> note;     // confidential: null when sealed
  std::optional<std::string> follows;  // online: the offline visit or prescription followed up
  int64_t at_ms = 0;

  static constexpr auto fields() {
    return std::tuple{field("org", &Visit::org),
                      field("doctor", &Visit::doctor),
                      field("patient_ref", &Visit::patient_ref),
                      field("channel", &Visit::channel),
                      field("diagnosis_code", &Visit::diagnosis_code),
                      field("note", &Visit::note),
                      field("follows", &Visit::follows),
                      field("at_ms", &Visit::at_ms)};
  }
};

}  // namespace medtrail::contracts::visits

namespace medtrail::contracts {

std::string visit_key(std::string_view visit_id);

}  // namespace medtrail::contracts
