#include "medtrail/ledger/pseudonym.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/resident_id.h"

namespace medtrail::ledger {
namespace {

using nlohmann::json;

std::optional<json> parse_object(std::string_view body) {
  if (body.size() > kMaxPseudonymBodyBytes) return std::nullopt;
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

// The elements of `doc[key]`: an array of exactly `count` 64-hex strings, each a valid element.
Result<std::vector<OprfElement>> read_elements(const json& doc, const char* key, size_t count,
                                               const char* error_code) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_array() || it->size() != count) {
    return Status::error(error_code, std::string(key) + " must be an array of " + std::to_string(count) +
                                         " elements (the n of the target)");
  }
  std::vector<OprfElement> elements;
  elements.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const json& item = (*it)[i];
    Result<Bytes> bytes = item.is_string() ? from_hex(item.get_ref<const std::string&>())
                                           : Result<Bytes>(Status::error("bad_hex", "not a string"));
    if (!bytes.ok()) {
      return Status::error(error_code, std::string(key) + "[" + std::to_string(i) + "] must be 64 hex characters");
    }
    Result<OprfElement> element = oprf_element_from_bytes(*bytes);
    if (!element.ok()) {
      return Status::error(element.status().code(), std::string(key) + "[" + std::to_string(i) + "]: " +
                                                         element.status().message());
    }
    elements.push_back(*element);
  }
  return elements;
}

json hex_array(std::span<const OprfElement> elements) {
  json out = json::array();
  for (const OprfElement& e : elements) out.push_back(to_hex(e));
  return out;
}

}  // namespace

std::string pseudonym_target(size_t count) { return std::string(kPseudonymPath) + "?n=" + std::to_string(count); }

std::optional<size_t> pseudonym_target_count(std::string_view target) {
  const std::string prefix = std::string(kPseudonymPath) + "?n=";
  if (!target.starts_with(prefix)) return std::nullopt;
  const std::string_view digits = target.substr(prefix.size());
  if (digits.empty() || digits.size() > 2 || digits[0] == '0') return std::nullopt;
  size_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  if (n > kMaxPseudonymBatch) return std::nullopt;
  return n;
}

std::string pseudonym_request_json(std::span<const OprfElement> blinded) {
  return json{{"blinded", hex_array(blinded)}}.dump();
}

Result<std::vector<OprfElement>> read_pseudonym_request(std::string_view body, size_t count) {
  std::optional<json> doc = parse_object(body);
  if (!doc || doc->size() != 1) {
    return Status::error("bad_request", "the body must be {\"blinded\": [\"<64 hex>\", ...]}");
  }
  return read_elements(*doc, "blinded", count, "bad_request");
}

std::string citizen_pseudonym_request_json(std::string_view credential, const OprfElement& blinded) {
  return json{{"credential", credential}, {"blinded", hex_array(std::span(&blinded, 1))}}.dump();
}

namespace {

// The body's "credential" when the body is an object of exactly `fields` members holding it;
// `shape` describes the body for the error.
Result<std::string> read_credential(const std::optional<json>& doc, size_t fields, std::string_view shape) {
  const json* credential =
      doc && doc->size() == fields && doc->contains("credential") ? &doc->at("credential") : nullptr;
  if (credential == nullptr || !credential->is_string()) {
    return Status::error("bad_request", "the body must be " + std::string(shape));
  }
  const std::string& text = credential->get_ref<const std::string&>();
  const bool printable = std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (text.empty() || text.size() > kMaxCitizenCredentialBytes || !printable) {
    return Status::error("bad_request", "credential must be 1.." + std::to_string(kMaxCitizenCredentialBytes) +
                                            " printable ASCII characters");
  }
  return text;
}

}  // namespace

Result<CitizenPseudonymRequest> read_citizen_pseudonym_request(std::string_view body) {
  std::optional<json> doc = parse_object(body);
  Result<std::string> credential =
      read_credential(doc, 2, "{\"credential\": \"...\", \"blinded\": [\"<64 hex>\"]}");
  if (!credential.ok()) return credential.status();
  CitizenPseudonymRequest request;
  request.credential = std::move(*credential);
  Result<std::vector<OprfElement>> blinded = read_elements(*doc, "blinded", 1, "bad_request");
  if (!blinded.ok()) return blinded.status();
  request.blinded = (*blinded)[0];
  return request;
}

std::string citizen_credential_request_json(std::string_view credential) {
  return json{{"credential", credential}}.dump();
}

Result<std::string> read_citizen_credential_request(std::string_view body) {
  return read_credential(parse_object(body), 1, "{\"credential\": \"...\"}");
}

Result<std::string> service_patient_ref(const OprfServerKey& key, std::string_view resident_id) {
  std::optional<std::string> id = normalise_resident_id(resident_id);
  if (!id) return Status::error("bad_resident_id", "not a resident identity number");
  Result<OprfOutput> output = oprf_evaluate(kPseudonymMode, key, to_bytes(*id));
  if (!output.ok()) return output.status();
  return patient_ref_of(*output);
}

std::string pseudonym_response_json(const OprfEvaluation& evaluation, const OprfElement& public_key) {
  return json{{"evaluated", hex_array(evaluation.evaluated)},
              {"proof", to_hex(serialize_proof(evaluation.proof))},
              {"public_key", to_hex(public_key)}}
      .dump();
}

Result<PseudonymResponse> read_pseudonym_response(std::string_view body, size_t count) {
  std::optional<json> doc = parse_object(body);
  auto bad = [](std::string why) { return Status::error("bad_response", std::move(why)); };
  if (!doc) return bad("the service's answer is not a JSON object");
  PseudonymResponse out;
  Result<std::vector<OprfElement>> evaluated = read_elements(*doc, "evaluated", count, "bad_response");
  if (!evaluated.ok()) return evaluated.status();
  out.evaluation.evaluated = std::move(*evaluated);
  auto proof_it = doc->find("proof");
  auto key_it = doc->find("public_key");
  if (proof_it == doc->end() || !proof_it->is_string() || key_it == doc->end() || !key_it->is_string()) {
    return bad("the service's answer lacks proof or public_key");
  }
  Result<Bytes> proof_bytes = from_hex(proof_it->get_ref<const std::string&>());
  if (!proof_bytes.ok()) return bad("proof must be hex");
  Result<OprfProof> proof = deserialize_proof(*proof_bytes);
  if (!proof.ok()) return proof.status();
  out.evaluation.proof = *proof;
  Result<Bytes> key_bytes = from_hex(key_it->get_ref<const std::string&>());
  if (!key_bytes.ok()) return bad("public_key must be hex");
  Result<OprfElement> key = oprf_element_from_bytes(*key_bytes);
  if (!key.ok()) return key.status();
  out.public_key = *key;
  return out;
}

std::string patient_ref_of(const OprfOutput& output) { return to_hex(ByteView(output.data(), kHashSize)); }

Result<PseudonymRequest> blind_resident_ids(std::span<const std::string> resident_ids) {
  if (resident_ids.empty() || resident_ids.size() > kMaxPseudonymBatch) {
    return Status::error("bad_request", "one request carries 1.." + std::to_string(kMaxPseudonymBatch) + " ids");
  }
  PseudonymRequest request;
  for (size_t i = 0; i < resident_ids.size(); ++i) {
    std::optional<std::string> id = normalise_resident_id(resident_ids[i]);
    if (!id) {
      return Status::error("bad_resident_id", "id " + std::to_string(i + 1) +
                                                  " is not a resident identity number (18 characters, "
                                                  "a real birth date, the right check character)");
    }
    request.inputs.push_back(to_bytes(*id));
    Result<OprfBlinded> blinded = oprf_blind(kPseudonymMode, request.inputs.back());
    if (!blinded.ok()) return blinded.status();
    request.blinded.push_back(blinded->blinded_element);
    request.blinds.push_back(std::move(*blinded));
  }
  request.target = pseudonym_target(resident_ids.size());
  request.body = pseudonym_request_json(request.blinded);
  return request;
}

Result<std::vector<std::string>> finish_patient_refs(const PseudonymRequest& request,
                                                     std::string_view response_body,
                                                     const OprfElement& service_key) {
  Result<PseudonymResponse> response = read_pseudonym_response(response_body, request.blinded.size());
  if (!response.ok()) return response.status();
  if (response->public_key != service_key) {
    return Status::error("wrong_service_key",
                         "the service answered under a key other than the one genesis names");
  }
  Result<std::vector<OprfOutput>> outputs =
      oprf_finalize(kPseudonymMode, request.inputs, request.blinds, response->evaluation.evaluated,
                    request.blinded, response->evaluation.proof, service_key);
  if (!outputs.ok()) return outputs.status();
  std::vector<std::string> refs;
  refs.reserve(outputs->size());
  for (const OprfOutput& output : *outputs) refs.push_back(patient_ref_of(output));
  return refs;
}

}  // namespace medtrail::ledger
