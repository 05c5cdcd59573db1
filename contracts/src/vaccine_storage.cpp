// vaccine.storage: a holder's temperature record of one storage unit (a refrigerator, a cold
// room) over a period, naming the doses it held. A record outside a dose's label range is an
// excursion: the dose is quarantined by the record itself, which stands as the evidence
// (疫苗储存和运输管理规范 2017: storage temperatures are monitored and recorded; 中华人民共和国疫苗管理法
// art. 37: records of the whole storage and transport are kept).
#include "medtrail/contracts/body_reader.h"
#include "vaccine_doses.h"
#include "vaccine_handlers.h"

namespace medtrail::contracts::vaccine {

using ledger::ExecutionResult;

ExecutionResult record_storage(Call& call) {
  BodyReader r(call.body, "body");
  r.token("unit", Charset::kCode, 1, 64);
  auto from = r.time("from");
  auto to = r.time("to");
  r.hex("log_hash", 32);
  auto min_c = r.decimal("min_c", 1, -1000, 1000);
  auto max_c = r.decimal("max_c", 1, -1000, 1000);
  auto codes = read_codes(r, "codes");
  if (!r.finish()) return r.result();
  call.txn.index("org/" + call.org.id);
  if (*to <= *from) return ExecutionResult::reject("out_of_range", "body.to must be after body.from");
  if (*to > call.block.timestamp_ms) {
    return ExecutionResult::reject("period_in_future", "body.to is after the block time");
  }
  if (*min_c > *max_c) {
    return ExecutionResult::reject("out_of_range", "body.min_c must not be above body.max_c");
  }
  DoseSet set;
  if (ExecutionResult v = load_doses_on_lot_trails(call.txn, *codes, set); !v.accepted) return v;
  for (const LoadedDose& dose : set.doses) {
    if (ExecutionResult v = check_held(dose, call.org); !v.accepted) return v;
  }
  const TemperatureRange recorded{*min_c, *max_c};
  for (LoadedDose& dose : set.doses) {
    if (dose.state.status == "quarantined") continue;
    const std::optional<TemperatureRange> label = storage_range(*dose.lot);
    if (label && label->contains(recorded)) continue;
    mark_quarantined(dose.state, "temperature", call);
    call.txn.write(std::move(dose.key), dose.state);
  }
  return ExecutionResult::accept();
}

}  // namespace medtrail::contracts::vaccine
