#pragma once
// The handlers of the vaccine.* kinds; vaccine.cpp lists who may sign each.
#include "medtrail/contracts/registry.h"

namespace medtrail::contracts::vaccine {

// vaccine_lots.cpp: the manufacturer's lot and its codes, the regulator's batch release, recalls.
ledger::ExecutionResult register_lot(Call& call);
ledger::ExecutionResult release_lot(Call& call);
ledger::ExecutionResult add_codes(Call& call);
ledger::ExecutionResult recall_lot(Call& call);

// vaccine_shipping.cpp: distribution with the consignee's cold-chain check.
ledger::ExecutionResult ship(Call& call);
ledger::ExecutionResult receive(Call& call);

// vaccine_use.cpp: vaccination and quarantine of single doses.
ledger::ExecutionResult administer(Call& call);
ledger::ExecutionResult quarantine(Call& call);

// vaccine_storage.cpp: a storage unit's temperature record; an excursion quarantines the doses.
ledger::ExecutionResult record_storage(Call& call);

// vaccine_disposal.cpp: doses destroyed under a supervising authority's eye.
ledger::ExecutionResult dispose(Call& call);

// vaccine_aefi.cpp: a suspected adverse event following immunisation, against a given dose.
ledger::ExecutionResult report_aefi(Call& call);

}  // namespace medtrail::contracts::vaccine
