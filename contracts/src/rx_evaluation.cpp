// rx.evaluate: 处方点评, the after-the-fact evaluation of a prescription by the issuing hospital's
// pharmacists or a regulator (医院处方点评管理规范（试行）, 2010). A finding is 合理 (rational) or
// 不合理 (irrational) with the standard's sub-codes: 不规范处方 (irregular, its 15 items),
// 用药不适宜处方 (inappropriate, 9) and 超常处方 (excessive, 4). The record lands on the
// prescription's trail, the issuing hospital's and the prescribing doctor's, so a regulator reads
// findings by organisation and by doctor (docs/audit.md).
#include <charconv>
#include <set>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/confidential.h"
#include "rx_common.h"

namespace medtrail::contracts::rx {
namespace {

using ledger::ExecutionResult;

// The standard's categories of irrational prescriptions and how many items each lists.
struct Category {
  std::string_view name;
  int items;
};
constexpr Category kCategories[] = {{"irregular", 15}, {"inappropriate", 9}, {"excessive", 4}};

// "<category>.<item>", e.g. "irregular.10" (开具处方未写临床诊断或临床诊断书写不全的).
bool is_finding_code(std::string_view code) {
  const size_t dot = code.find('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view name = code.substr(0, dot), number = code.substr(dot + 1);
  if (number.empty() || number.size() > 2 || number[0] == '0') return false;
  int item = 0;
  auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), item);
  if (error != std::errc() || end != number.data() + number.size()) return false;
  for (const Category& c : kCategories) {
    if (c.name == name) return item >= 1 && item <= c.items;
  }
  return false;
}

}  // namespace

ExecutionResult evaluate(Call& call) {
  BodyReader r(call.body, "body");
  const std::optional<ledger::Sealed> sealed = read_sealed(r, call.body, call);
  auto rx_id = r.hex("rx_id", 32);
  auto result = r.one_of("result", {"rational", "irrational"});
  std::optional<std::vector<std::string>> findings;
  if (result == "irrational") {
    findings = r.string_list("findings", 1, 10, is_finding_code,
                             "a finding code <irregular|inappropriate|excessive>.<item>, such as "
                             "irregular.10");
    if (findings && std::set<std::string>(findings->begin(), findings->end()).size() != findings->size()) {
      r.fail("bad_format", "body.findings lists a finding twice");
    }
  } else {
    r.refuse_field("findings", "an irrational prescription");
  }
  r.text("note", 512, Presence::kOptional);
  if (!r.finish()) return r.result();
  call.txn.index(rx_key(*rx_id));
  call.txn.index("org/" + call.org.id);
  Prescription rx;
  if (ExecutionResult loaded = load(call, *rx_id, rx); !loaded.accepted) return loaded;
  if (ExecutionResult v = check_sealed_readers(sealed, call, rx.patient_ref); !v.accepted) return v;
  // A hospital evaluates its own prescriptions; a regulator any.
  if (!call.org.has_type("regulator") && !call.org.has_type("inspector") && call.org.id != rx.org) {
    return ExecutionResult::reject("not_issuing_hospital",
                                   "a hospital's pharmacists evaluate the prescriptions it issued");
  }
  // Only now on the hospital's and the doctor's trails: nobody else plants findings there.
  call.txn.index("org/" + rx.org);
  call.txn.index("actor/" + rx.doctor);
  return ExecutionResult::accept();
}

}  // namespace medtrail::contracts::rx
