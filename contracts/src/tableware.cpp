// tableware.batch / ship / inspect / recall: batches of disinfected tableware from a
// centralised disinfection unit (餐具、饮具集中消毒服务单位) to the restaurants that use them.
// Food Safety Law art. 58: the unit tests every batch and ships it with its certificate, labelled
// with the disinfection date and use-by period. A batch that fails GB 14934-2016 is still
// recorded (the failed test is evidence) but held, and a held or recalled batch never ships.
#include <set>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "medtrail/contracts/tableware.h"
#include "tableware_results.h"
#include "family_views.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;
using nlohmann::json;

constexpr int64_t kMaxQuantity = 10'000'000;
// Shipments are kept inside the batch value; the bound keeps that value (rewritten on every
// shipment) small. A real batch reaches tens of restaurants, not thousands.
// Shipments and inspections live inside the batch's value, which every later record reads and
// rewrites: bounded so that the value (and the work per record) stays small.
constexpr size_t kMaxShipments = 1000;
constexpr size_t kMaxInspections = 100;

std::optional<std::string> read_batch_code(BodyReader& r) {
  return r.token("batch_code", Charset::kCode, 1, 32);
}

ExecutionResult unknown_batch(const std::string& code) {
  return ExecutionResult::reject("unknown_batch", "no tableware batch " + code);
}

// A recall reaches every restaurant the batch was shipped to: their trails list it.
void index_recipients(Call& call, const json& batch) {
  std::set<std::string> orgs;
  for (const json& s : batch.value("shipments", json::array())) {
    if (s.contains("to_org")) orgs.insert(s["to_org"].get<std::string>());
  }
  for (const std::string& org : orgs) call.txn.index("org/" + org);
}

ExecutionResult record_batch(Call& call) {
  BodyReader r(call.body, "body");
  auto code = read_batch_code(r);
  auto licence = r.text("licence_no", 64);
  auto line = r.token("line", Charset::kCode, 1, 32);
  auto disinfected_at = r.time("disinfected_at");
  auto use_by = r.time("use_by");
  auto method = r.one_of("method", {"steam", "boiling", "infrared", "ozone", "chemical", "other"});
  auto quantity = r.integer("quantity", 1, kMaxQuantity, Presence::kOptional);
  auto results = read_results(r, "results", Presence::kRequired);
  if (!r.finish()) return r.result();
  call.txn.index("tw/" + *code);
  call.txn.index("org/" + call.org.id);
  if (*use_by <= *disinfected_at) {
    return ExecutionResult::reject("bad_use_by", "body.use_by must be after body.disinfected_at");
  }
  if (*disinfected_at > call.block.timestamp_ms) {
    return ExecutionResult::reject("disinfected_in_future",
                                   "body.disinfected_at is after the block time");
  }
  if (call.txn.get(tableware_key(*code))) {
    return ExecutionResult::reject("batch_exists", "tableware batch " + *code + " is already recorded");
  }
  const std::vector<std::string> failing = failing_items(*results);
  json batch = {{"batch_code", *code},
                {"org", call.org.id},
                {"licence_no", *licence},
                {"line", *line},
                {"method", *method},
                {"disinfected_at_ms", *disinfected_at},
                {"use_by_ms", *use_by},
                {"results", results_json(*results)},
                {"failing", failing},
                {"status", failing.empty() ? "passed" : "held"},
                {"recorded_at_ms", call.block.timestamp_ms},
                {"recorded_by", call.signer.id},
                {"record", call.record_id},
                {"shipments", json::array()},
                {"shipped_quantity", 0},
                {"inspections", json::array()}};
  if (quantity) batch["quantity"] = *quantity;
  call.txn.put_json(tableware_key(*code), batch);
  return ExecutionResult::accept();
}

// Why `batch` may not leave the unit now; accept() when it may.
ExecutionResult shippable(const Call& call, const json& batch) {
  const std::string status = batch.value("status", "");
  if (status == "recalled") return ExecutionResult::reject("batch_recalled", "the batch was recalled");
  if (status != "passed") return ExecutionResult::reject("batch_held", "the batch is held");
  if (batch.value("use_by_ms", int64_t{0}) < call.block.timestamp_ms) {
    return ExecutionResult::reject("batch_expired", "the batch's use-by time has passed");
  }
  return ExecutionResult::accept();
}

// A restaurant known to the chain, or why not.
ExecutionResult restaurant(Call& call, const std::string& org_id) {
  std::optional<Organisation> org = find_org(call.txn, call.chain, org_id);
  if (!org || org->removed) return ExecutionResult::reject("unknown_org", "no organisation " + org_id);
  call.txn.index("org/" + org_id);
  if (!org->has_type("restaurant")) {
    return ExecutionResult::reject("not_a_restaurant", "organisation " + org_id + " is not a restaurant");
  }
  return ExecutionResult::accept();
}

ExecutionResult ship_batch(Call& call) {
  BodyReader r(call.body, "body");
  auto code = read_batch_code(r);
  auto to_org = r.token("to_org", Charset::kId, 1, 64, Presence::kOptional);
  auto customer = r.text("customer", 128, Presence::kOptional);
  auto quantity = r.integer("quantity", 1, kMaxQuantity, Presence::kOptional);
  if (!r.finish()) return r.result();
  if (to_org.has_value() == customer.has_value()) {
    return ExecutionResult::reject("bad_recipient", "give exactly one of body.to_org and body.customer");
  }
  call.txn.index("tw/" + *code);
  std::optional<json> batch = call.txn.get_json(tableware_key(*code));
  if (!batch) return unknown_batch(*code);
  if (batch->value("org", "") != call.org.id) {
    return ExecutionResult::reject("not_batch_owner", "batch " + *code + " belongs to another unit");
  }
  // The recipient first, so that a refused delivery is on the restaurant's trail too.
  if (to_org) {
    if (ExecutionResult ok = restaurant(call, *to_org); !ok.accepted) return ok;
  }
  if (ExecutionResult ok = shippable(call, *batch); !ok.accepted) return ok;
  json& shipments = (*batch)["shipments"];
  if (shipments.size() >= kMaxShipments) {
    return ExecutionResult::reject("too_many_shipments", "batch " + *code + " has " +
                                                             std::to_string(kMaxShipments) + " shipments");
  }
  const int64_t shipped = batch->value("shipped_quantity", int64_t{0}) + quantity.value_or(0);
  if (quantity && batch->contains("quantity") && shipped > (*batch)["quantity"].get<int64_t>()) {
    return ExecutionResult::reject("quantity_exceeds_batch",
                                   "shipments would exceed the batch's quantity");
  }
  json shipment = {{"at_ms", call.block.timestamp_ms}, {"by", call.signer.id}, {"record", call.record_id}};
  if (to_org) shipment["to_org"] = *to_org;
  if (customer) shipment["customer"] = *customer;
  if (quantity) shipment["quantity"] = *quantity;
  shipments.push_back(std::move(shipment));
  (*batch)["shipped_quantity"] = shipped;
  call.txn.put_json(tableware_key(*code), *batch);
  return ExecutionResult::accept();
}

// The status an inspection leaves: a failing result holds the batch even when the inspector
// chose no action (GB 14934 failed: the ware may not be used), and nothing undoes a recall.
std::string status_after_inspection(const std::string& status, const std::string& action,
                                    bool results_fail) {
  if (status == "recalled" || action == "recall") return "recalled";
  if (action == "hold" || results_fail) return "held";
  return status;
}

ExecutionResult inspect_batch(Call& call) {
  BodyReader r(call.body, "body");
  auto code = read_batch_code(r);
  auto results = read_results(r, "results", Presence::kOptional);
  auto action = r.one_of("action", {"none", "hold", "recall"});
  r.text("note", 512, Presence::kOptional);
  if (!r.finish()) return r.result();
  call.txn.index("tw/" + *code);
  std::optional<json> batch = call.txn.get_json(tableware_key(*code));
  if (!batch) return unknown_batch(*code);
  const std::string status = batch->value("status", "");
  if (status == "recalled" && *action == "recall") {
    return ExecutionResult::reject("already_recalled", "batch " + *code + " was recalled before");
  }
  if (status == "recalled" && *action == "hold") {
    return ExecutionResult::reject("batch_recalled", "a recalled batch cannot be held");
  }
  const std::vector<std::string> failing = results ? failing_items(*results) : std::vector<std::string>{};
  json inspection = {{"at_ms", call.block.timestamp_ms}, {"by", call.signer.id},
                     {"org", call.org.id},               {"action", *action},
                     {"failing", failing},               {"record", call.record_id}};
  if (results) inspection["results"] = results_json(*results);
  if ((*batch)["inspections"].size() >= kMaxInspections) {
    return ExecutionResult::reject("too_many_inspections", "batch " + *code + " has " +
                                                               std::to_string(kMaxInspections) +
                                                               " inspections");
  }
  (*batch)["inspections"].push_back(std::move(inspection));
  (*batch)["status"] = status_after_inspection(status, *action, !failing.empty());
  if (status != "recalled" && (*batch)["status"] == "recalled") index_recipients(call, *batch);
  call.txn.put_json(tableware_key(*code), *batch);
  return ExecutionResult::accept();
}

// The owning unit recalls its own batch; of the authorities, market regulation (a regulator
// or an inspection body) may order a recall, a disease control centre only inspects.
bool may_recall(const Call& call, const json& batch) {
  if (call.signer.role == "operator") return batch.value("org", "") == call.org.id;
  return call.org.has_type("regulator") || call.org.has_type("inspector");
}

ExecutionResult recall_batch(Call& call) {
  BodyReader r(call.body, "body");
  auto code = read_batch_code(r);
  auto reason = r.text("reason", 256);
  if (!r.finish()) return r.result();
  call.txn.index("tw/" + *code);
  std::optional<json> batch = call.txn.get_json(tableware_key(*code));
  if (!batch) return unknown_batch(*code);
  if (!may_recall(call, *batch)) {
    return ExecutionResult::reject("not_permitted_to_recall",
                                   "only the owning unit or a market regulator may recall a batch");
  }
  if (batch->value("status", "") == "recalled") {
    return ExecutionResult::reject("already_recalled", "batch " + *code + " was recalled before");
  }
  (*batch)["status"] = "recalled";
  (*batch)["recall"] = {{"at_ms", call.block.timestamp_ms},
                        {"by", call.signer.id},
                        {"reason", *reason},
                        {"record", call.record_id}};
  index_recipients(call, *batch);
  call.txn.put_json(tableware_key(*code), *batch);
  return ExecutionResult::accept();
}

}  // namespace

std::vector<KindRule> tableware_rules() {
  return {
      {"tableware.batch", {"operator"}, {"disinfector"}, record_batch},
      {"tableware.ship", {"operator"}, {"disinfector"}, ship_batch},
      {"tableware.inspect", {"inspector"}, {"regulator", "inspector", "cdc"}, inspect_batch},
      // Who among these may recall depends on the batch (may_recall).
      {"tableware.recall", {"operator", "inspector"}, {}, recall_batch},
  };
}

}  // namespace medtrail::contracts

namespace medtrail::contracts {

const ValueCodec* tableware_value_codec(std::string_view) { return legacy_json_codec(); }

}  // namespace medtrail::contracts
