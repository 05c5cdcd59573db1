#include "online_care.h"

#include <optional>
#include <string>

#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/rx.h"
#include "medtrail/contracts/visits.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;

// 互联网诊疗管理办法（试行）art. 25: 具有3年以上独立临床工作经验.
constexpr int kYearsOfPractice = 3;

// The facts of a followed record the rule compares.
struct Followed {
  std::string org;
  std::string patient_ref;
  std::string channel;
  bool cancelled = false;  // a prescription the doctor withdrew (issued in error): no visit to follow
};

std::optional<Followed> find_followed(const Call& call, std::string_view id) {
  if (auto rx = call.txn.read<rx::Prescription>(rx_key(id))) {
    return Followed{std::move(rx->org), std::move(rx->patient_ref), std::move(rx->channel),
                    rx->status == "cancelled"};
  }
  if (auto visit = call.txn.read<visits::Visit>(visit_key(id))) {
    return Followed{std::move(visit->org), std::move(visit->patient_ref), std::move(visit->channel)};
  }
  return std::nullopt;
}

}  // namespace

ExecutionResult check_online_care(const Call& call, std::string_view patient_ref,
                                  std::string_view follows) {
  if (!holds_licence(call.txn, call.org.id, kInternetDiagnosis)) {
    return ExecutionResult::reject("not_licensed_online",
                                   call.org.id + " is not licensed for internet diagnosis");
  }
  const std::optional<int64_t> since = call.signer.practice_since_day;
  if (!since || call.today() < add_years(*since, kYearsOfPractice)) {
    return ExecutionResult::reject(
        "practice_too_short",
        since ? "the doctor's independent practice began " + format_date(*since) +
                    ": internet diagnosis needs 3 years of it"
              : "the doctor's identity registers no first day of independent practice "
                "(practice_since): internet diagnosis needs 3 years of it");
  }
  std::optional<Followed> followed = find_followed(call, follows);
  if (!followed) {
    // The id is not echoed: a body may hold anything there, a patient_ref included.
    return ExecutionResult::reject("follow_up_not_found",
                                   "body.follows names no visit or prescription on the chain");
  }
  if (followed->org != call.org.id || followed->patient_ref != patient_ref ||
      followed->channel != "offline" || followed->cancelled) {
    return ExecutionResult::reject("follow_up_mismatch",
                                   "body.follows must be an offline visit or a prescription not "
                                   "cancelled, of the same patient at " + call.org.id);
  }
  return ExecutionResult::accept();
}

}  // namespace medtrail::contracts
