#include "medtrail/ledger/confidential_fields.h"

#include <algorithm>
#include <array>
#include <utility>

namespace medtrail::ledger {
namespace {

// docs/contracts.md, "Confidential fields", gives each kind's reasons.
constexpr std::string_view kRxIssue[] = {"diagnosis_code",       "long_term_reason",
                                         "long_term_evaluation", "supply_reason",
                                         "items[].name",         "items[].strength",
                                         "items[].dosage"};
constexpr std::string_view kRxReview[] = {"note"};
constexpr std::string_view kRxEvaluate[] = {"note"};
constexpr std::string_view kRxDeliver[] = {"tracking_no"};
constexpr std::string_view kRxCancel[] = {"reason"};
constexpr std::string_view kVaccineAdminister[] = {"site"};
constexpr std::string_view kVaccineAefi[] = {"symptoms"};
constexpr std::string_view kAccessJustify[] = {"justification"};
constexpr std::string_view kVisitRecord[] = {"diagnosis_code", "note"};

struct KindFields {
  std::string_view kind;
  std::span<const std::string_view> fields;
};
constexpr std::array<KindFields, 9> kKinds = {{{"rx.issue", kRxIssue},
                                               {"rx.review", kRxReview},
                                               {"rx.evaluate", kRxEvaluate},
                                               {"rx.deliver", kRxDeliver},
                                               {"rx.cancel", kRxCancel},
                                               {"vaccine.administer", kVaccineAdminister},
                                               {"vaccine.aefi", kVaccineAefi},
                                               {"access.justify", kAccessJustify},
                                               {"visit.record", kVisitRecord}}};

// "items[].name" -> {"items", "name"}; "note" -> {"", "note"}. Views into the static paths:
// every record of a sealing chain is checked, so nothing is allocated here.
std::pair<std::string_view, std::string_view> split_path(std::string_view path) {
  const size_t at = path.find("[].");
  if (at == std::string_view::npos) return {{}, path};
  return {path.substr(0, at), path.substr(at + 3)};
}

Status bad_sealed(const std::string& why) { return Status::error("bad_sealed", "sealed fields: " + why); }

bool is_listed(std::span<const std::string_view> fields, std::string_view array, std::string_view field) {
  return std::any_of(fields.begin(), fields.end(), [&](std::string_view path) {
    return split_path(path) == std::pair{array, field};
  });
}

Status restore_field(nlohmann::json& target, const std::string& field, const nlohmann::json& value,
                     const std::string& path) {
  if (target.contains(field)) return bad_sealed(path + " is both sealed and in clear");
  target[field] = value;
  return Status();
}

}  // namespace

std::span<const std::string_view> confidential_fields(std::string_view kind) {
  for (const KindFields& k : kKinds) {
    if (k.kind == kind) return k.fields;
  }
  return {};
}

nlohmann::json take_confidential(std::string_view kind, nlohmann::json& body) {
  nlohmann::json taken = nlohmann::json::object();
  for (std::string_view path : confidential_fields(kind)) {
    const auto [array_name, field_name] = split_path(path);
    const std::string array(array_name), field(field_name);
    if (array.empty()) {
      auto it = body.find(field);
      if (it == body.end()) continue;
      taken[field] = std::move(*it);
      body.erase(it);
      continue;
    }
    auto elements = body.find(array);
    if (elements == body.end() || !elements->is_array()) continue;
    for (size_t i = 0; i < elements->size(); ++i) {
      nlohmann::json& element = (*elements)[i];
      if (!element.is_object()) continue;
      auto it = element.find(field);
      if (it == element.end()) continue;
      nlohmann::json& out = taken[array];
      if (!out.is_array()) out = nlohmann::json::array();
      while (out.size() < elements->size()) out.push_back(nlohmann::json::object());
      out[i][field] = std::move(*it);
      element.erase(it);
    }
  }
  return taken;
}

std::vector<std::string> confidential_in_clear(std::string_view kind, const nlohmann::json& body) {
  std::vector<std::string> found;
  if (!body.is_object()) return found;
  // Looks fields up by string_view (nlohmann's transparent lookup): no allocation unless found.
  for (std::string_view path : confidential_fields(kind)) {
    const auto [array, field] = split_path(path);
    if (array.empty()) {
      if (body.contains(field)) found.emplace_back(field);
      continue;
    }
    auto elements = body.find(array);
    if (elements == body.end() || !elements->is_array()) continue;
    for (size_t i = 0; i < elements->size(); ++i) {
      const nlohmann::json& element = (*elements)[i];
      if (element.is_object() && element.contains(field)) {
        found.push_back(std::string(array) + "[" + std::to_string(i) + "]." + std::string(field));
      }
    }
  }
  return found;
}

Status restore_confidential(std::string_view kind, nlohmann::json& body, const nlohmann::json& opened) {
  if (!body.is_object() || !opened.is_object()) return bad_sealed("the body and the opened fields must be objects");
  const std::span<const std::string_view> fields = confidential_fields(kind);
  for (const auto& [name, value] : opened.items()) {
    if (is_listed(fields, "", name)) {
      MEDTRAIL_RETURN_IF_ERROR(restore_field(body, name, value, name));
      continue;
    }
    auto elements = body.find(name);
    if (!value.is_array() || elements == body.end() || !elements->is_array() || elements->size() != value.size()) {
      return bad_sealed("\"" + name + "\" is not a confidential field of " + std::string(kind) +
                        " or does not match the body's list");
    }
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string at = name + "[" + std::to_string(i) + "]";
      if (!value[i].is_object() || !(*elements)[i].is_object()) return bad_sealed(at + " must be an object");
      for (const auto& [field, inner] : value[i].items()) {
        if (!is_listed(fields, name, field)) {
          return bad_sealed(at + "." + field + " is not a confidential field of " + std::string(kind));
        }
        MEDTRAIL_RETURN_IF_ERROR(restore_field((*elements)[i], field, inner, at + "." + field));
      }
    }
  }
  return Status();
}

}  // namespace medtrail::ledger
