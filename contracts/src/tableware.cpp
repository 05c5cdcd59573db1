// tableware.batch / ship / inspect / recall: batches of disinfected tableware from a
// centralised disinfection unit (餐具、饮具集中消毒服务单位) to the restaurants that use them.
// Food Safety Law art. 58: the unit tests every batch and ships it with its certificate, labelled
// with the disinfection date and use-by period. A batch that fails GB 14934-2016 is still
// recorded (the failed test is evidence) but held, and a held or recalled batch never ships.
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "medtrail/contracts/tableware.h"
#include "tableware_results.h"
#include "family_views.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;
using tableware::Batch;

constexpr int64_t kMaxQuantity = 10'000'000;
// Shipments and inspections live inside the batch's value, which every later record reads and
// rewrites: bounded so that the value (and the work per record) stays small. A real batch
// reaches tens of restaurants, not thousands.
constexpr size_t kMaxShipments = 1000;
constexpr size_t kMaxInspections = 100;

std::optional<std::string> read_batch_code(BodyReader& r) {
  return r.token("batch_code", Charset::kCode, 1, 32);
}

ExecutionResult unknown_batch(const std::string& code) {
  return ExecutionResult::reject("unknown_batch", "no tableware batch " + code);
}

// A recall reaches every restaurant the batch was shipped to: their trails list it.
void index_recipients(Call& call, const Batch& batch) {
  std::set<std::string_view> orgs;
  for (const Batch::Shipment& s : batch.shipments) {
    if (s.to_org) orgs.insert(*s.to_org);
  }
  for (std::string_view org : orgs) call.txn.index("org/" + std::string(org));
}

// tableware.ship adds one shipment to a batch that may hold a thousand; decoding and encoding
// them all each time would be most of its work. Batch::shipments is the value's last field, so
// the stored bytes are the format byte, the other fields, the shipment count, then the
// shipments: ship decodes the other fields, checks that the shipments decode without keeping
// them, and writes their bytes back unchanged behind the new count, followed by the new
// shipment. The result is byte for byte encode_value(Batch).
constexpr size_t kFieldsBeforeShipments = std::tuple_size_v<decltype(Batch::fields())> - 1;
static_assert(std::get<kFieldsBeforeShipments>(Batch::fields()).member == &Batch::shipments);

// f(field) for each field of Batch before its shipments, in order.
template <class F>
void for_fields_before_shipments(F&& f) {
  [&]<size_t... I>(std::index_sequence<I...>) {
    constexpr auto fields = Batch::fields();
    (f(std::get<I>(fields)), ...);
  }(std::make_index_sequence<kFieldsBeforeShipments>{});
}

struct StoredShipments {
  size_t count = 0;
  std::string_view bytes;  // their encoding, inside the stored value
};

// Every field of the stored batch but its shipments into `batch`. Throws CorruptState, as
// RecordTxn::read does, when the value (shipments included) does not decode.
StoredShipments decode_all_but_shipments(std::string_view stored, Batch& batch) {
  codec::Reader r(stored);
  if (r.byte() != kStateFormat) r.fail();
  for_fields_before_shipments([&](const auto& field) { codec::get(r, batch.*field.member); });
  StoredShipments shipments{r.count(), {}};
  shipments.bytes = stored.substr(stored.size() - r.left());
  Batch::Shipment scratch;  // each stored shipment decodes into it in turn: checked, not kept
  for (size_t i = 0; i < shipments.count && r.ok(); ++i) codec::get(r, scratch);
  if (!r.ok() || !r.at_end()) throw CorruptState("a stored value does not decode");
  return shipments;
}

std::string encode_with_shipment(const Batch& batch, const StoredShipments& stored,
                                 const Batch::Shipment& added) {
  codec::Writer w;
  w.byte(kStateFormat);
  for_fields_before_shipments([&](const auto& field) { codec::put(w, batch.*field.member); });
  w.varint(stored.count + 1);
  w.raw(stored.bytes.data(), stored.bytes.size());
  codec::put(w, added);
  return w.take();
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
  std::string key = tableware_key(*code);
  if (call.txn.get(key)) {
    return ExecutionResult::reject("batch_exists", "tableware batch " + *code + " is already recorded");
  }
  Batch batch;
  batch.batch_code = std::move(*code);
  batch.org = call.org.id;
  batch.licence_no = std::move(*licence);
  batch.line = std::move(*line);
  batch.method = std::move(*method);
  batch.disinfected_at_ms = *disinfected_at;
  batch.use_by_ms = *use_by;
  batch.quantity = quantity;
  batch.results = stored_results(*results);
  batch.failing = failing_items(*results);
  batch.status = batch.failing.empty() ? "passed" : "held";
  batch.recorded_at_ms = call.block.timestamp_ms;
  batch.recorded_by = call.signer.id;
  batch.record = std::string(call.record_id);
  call.txn.write(std::move(key), batch);
  return ExecutionResult::accept();
}

// Why `batch` may not leave the unit now; accept() when it may.
ExecutionResult shippable(const Call& call, const Batch& batch) {
  if (batch.status == "recalled") return ExecutionResult::reject("batch_recalled", "the batch was recalled");
  if (batch.status != "passed") return ExecutionResult::reject("batch_held", "the batch is held");
  if (batch.use_by_ms < call.block.timestamp_ms) {
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
  std::string key = tableware_key(*code);
  const std::optional<std::string> stored = call.txn.get(key);
  if (!stored) return unknown_batch(*code);
  Batch batch;  // without its shipments
  const StoredShipments shipments = decode_all_but_shipments(*stored, batch);
  if (batch.org != call.org.id) {
    return ExecutionResult::reject("not_batch_owner", "batch " + *code + " belongs to another unit");
  }
  // The recipient first, so that a refused delivery is on the restaurant's trail too.
  if (to_org) {
    if (ExecutionResult ok = restaurant(call, *to_org); !ok.accepted) return ok;
  }
  if (ExecutionResult ok = shippable(call, batch); !ok.accepted) return ok;
  if (shipments.count >= kMaxShipments) {
    return ExecutionResult::reject("too_many_shipments", "batch " + *code + " has " +
                                                             std::to_string(kMaxShipments) + " shipments");
  }
  const int64_t shipped = batch.shipped_quantity + quantity.value_or(0);
  if (quantity && batch.quantity && shipped > *batch.quantity) {
    return ExecutionResult::reject("quantity_exceeds_batch",
                                   "shipments would exceed the batch's quantity");
  }
  const Batch::Shipment shipment{call.block.timestamp_ms, call.signer.id, std::string(call.record_id),
                                 std::move(to_org),       std::move(customer), quantity};
  batch.shipped_quantity = shipped;
  // Bytes, not write(): the batch's public facts do not change with a shipment, so they stay.
  call.txn.put(std::move(key), encode_with_shipment(batch, shipments, shipment));
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
  std::string key = tableware_key(*code);
  std::optional<Batch> batch = call.txn.read<Batch>(key);
  if (!batch) return unknown_batch(*code);
  const std::string status = batch->status;
  if (status == "recalled" && *action == "recall") {
    return ExecutionResult::reject("already_recalled", "batch " + *code + " was recalled before");
  }
  if (status == "recalled" && *action == "hold") {
    return ExecutionResult::reject("batch_recalled", "a recalled batch cannot be held");
  }
  if (batch->inspections.size() >= kMaxInspections) {
    return ExecutionResult::reject("too_many_inspections", "batch " + *code + " has " +
                                                               std::to_string(kMaxInspections) +
                                                               " inspections");
  }
  Batch::Inspection& inspection = batch->inspections.emplace_back();
  inspection.at_ms = call.block.timestamp_ms;
  inspection.by = call.signer.id;
  inspection.org = call.org.id;
  inspection.action = *action;
  if (results) {
    inspection.results = stored_results(*results);
    inspection.failing = failing_items(*results);
  }
  inspection.record = std::string(call.record_id);
  batch->status = status_after_inspection(status, *action, !inspection.failing.empty());
  if (status != "recalled" && batch->status == "recalled") index_recipients(call, *batch);
  call.txn.write(std::move(key), *batch);
  return ExecutionResult::accept();
}

// The owning unit recalls its own batch; of the authorities, market regulation (a regulator
// or an inspection body) may order a recall, a disease control centre only inspects.
bool may_recall(const Call& call, const Batch& batch) {
  if (call.signer.role == "operator") return batch.org == call.org.id;
  return call.org.has_type("regulator") || call.org.has_type("inspector");
}

ExecutionResult recall_batch(Call& call) {
  BodyReader r(call.body, "body");
  auto code = read_batch_code(r);
  auto reason = r.text("reason", 256);
  if (!r.finish()) return r.result();
  call.txn.index("tw/" + *code);
  std::string key = tableware_key(*code);
  std::optional<Batch> batch = call.txn.read<Batch>(key);
  if (!batch) return unknown_batch(*code);
  if (!may_recall(call, *batch)) {
    return ExecutionResult::reject("not_permitted_to_recall",
                                   "only the owning unit or a market regulator may recall a batch");
  }
  if (batch->status == "recalled") {
    return ExecutionResult::reject("already_recalled", "batch " + *code + " was recalled before");
  }
  batch->status = "recalled";
  batch->recall = Batch::Recall{call.block.timestamp_ms, call.signer.id, std::move(*reason),
                                std::string(call.record_id)};
  index_recipients(call, *batch);
  call.txn.write(std::move(key), *batch);
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

const ValueCodec* tableware_value_codec(std::string_view) { return codec_of<tableware::Batch>(); }

}  // namespace medtrail::contracts
