#include "medtrail/ledger/patient_shares.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/sealed_fields.h"

namespace medtrail::ledger {
namespace {

using nlohmann::json;

// `doc[key]`: exactly `count` strings of `bytes` bytes in lowercase hex.
Result<std::vector<Bytes>> hex_list(std::string_view body, const char* key, size_t count, size_t bytes,
                                    const char* error_code) {
  const Status bad = Status::error(error_code, std::string("the body must be {\"") + key + "\": [...]} with " +
                                                   std::to_string(count) + " strings of " +
                                                   std::to_string(2 * bytes) + " lowercase hex characters");
  if (body.size() > kMaxShareBodyBytes) return bad;
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || doc.size() != 1) return bad;
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_array() || it->size() != count) return bad;
  std::vector<Bytes> out;
  out.reserve(count);
  for (const json& item : *it) {
    if (!item.is_string()) return bad;
    const std::string& text = item.get_ref<const std::string&>();
    if (text.size() != 2 * bytes || !is_lower_hex(text)) return bad;
    out.push_back(*from_hex(text));
  }
  return out;
}

}  // namespace

std::string patient_share_target(std::string_view patient_ref, size_t count, ShareUse use) {
  return std::string(kPatientKeysPath) + std::string(patient_ref) + "?n=" + std::to_string(count) +
         (use == ShareUse::kSeal ? "&for=seal" : "&for=open");
}

std::optional<ShareTarget> parse_patient_share_target(std::string_view target) {
  if (!target.starts_with(kPatientKeysPath)) return std::nullopt;
  target.remove_prefix(kPatientKeysPath.size());
  constexpr size_t kRefSize = 2 * kHashSize;
  if (target.size() < kRefSize || !is_hash_hex(target.substr(0, kRefSize))) return std::nullopt;
  ShareTarget out;
  out.patient_ref = std::string(target.substr(0, kRefSize));
  target.remove_prefix(kRefSize);
  if (!target.starts_with("?n=")) return std::nullopt;
  target.remove_prefix(3);
  const size_t amp = target.find('&');
  if (amp == std::string_view::npos) return std::nullopt;
  const std::string_view digits = target.substr(0, amp);
  if (digits.empty() || digits.size() > 2 || digits[0] == '0' ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  for (char c : digits) out.count = out.count * 10 + static_cast<size_t>(c - '0');
  if (out.count > kMaxShareBatch) return std::nullopt;
  const std::string_view use = target.substr(amp);
  if (use == "&for=seal") {
    out.use = ShareUse::kSeal;
  } else if (use == "&for=open") {
    out.use = ShareUse::kOpen;
  } else {
    return std::nullopt;
  }
  return out;
}

std::string patient_share_request_json(std::span<const Bytes> nonces) {
  json list = json::array();
  for (const Bytes& n : nonces) list.push_back(to_hex(n));
  return json{{"nonces", std::move(list)}}.dump();
}

Result<std::vector<Bytes>> read_patient_share_request(std::string_view body, size_t count) {
  return hex_list(body, "nonces", count, kSealedNonceBytes, "bad_request");
}

std::string patient_share_response_json(std::span<const SecureBytes> shares) {
  json list = json::array();
  for (const SecureBytes& s : shares) list.push_back(to_hex(s.view()));
  return json{{"shares", std::move(list)}}.dump();
}

Result<std::vector<SecureBytes>> read_patient_share_response(std::string_view body, size_t count) {
  Result<std::vector<Bytes>> list = hex_list(body, "shares", count, kPatientShareBytes, "bad_response");
  if (!list.ok()) return list.status();
  std::vector<SecureBytes> shares;
  shares.reserve(list->size());
  for (Bytes& b : *list) {
    shares.emplace_back(b);
    std::fill(b.begin(), b.end(), uint8_t{0});
  }
  return shares;
}

}  // namespace medtrail::ledger
