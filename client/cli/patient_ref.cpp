// `medtrail patient-ref`: the patient_refs of resident identity numbers, read one per line from
// standard input (never from the command line, where `ps` and shell history would keep them),
// printed one per line in the same order. Each batch of up to 64 is blinded here, evaluated by
// the pseudonym service under a signed, recorded query (POST /v1/pseudonym/evaluate), checked
// against the service key the genesis file names, and unblinded here: the service never sees
// an id, and a service that used another key is caught (docs/privacy.md).
#include <algorithm>
#include <iostream>
#include <memory>
#include <span>
#include <sstream>

#include "commands.h"
#include "io.h"
#include "medtrail/ledger/pseudonym.h"
#include "medtrail/ledger/resident_id.h"
#include "signed_reader.h"

namespace medtrail::cli {

namespace {

// 10,000 ids of 18 characters and line ends: a day's registrations of a large hospital.
constexpr size_t kMaxInputBytes = 10000 * 20;

ledger::Result<std::vector<std::string>> read_ids(const std::string& path) {
  auto text = read_input(path, kMaxInputBytes);
  if (!text.ok()) return text.status();
  std::vector<std::string> ids;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \r") == std::string::npos) continue;
    if (!ledger::normalise_resident_id(line)) {
      // The line number only: a mistyped id is still a person's.
      return ledger::Status::error("bad_resident_id", "input line " + std::to_string(ids.size() + 1) +
                                                          " is not a resident identity number");
    }
    ids.push_back(line);
  }
  if (ids.empty()) return ledger::Status::error("bad_usage", "no resident identity numbers on the input");
  return ids;
}

int run(const ReaderOptions& r, const std::string& input) {
  const std::string name = "patient-ref";
  auto reader = SignedReader::open(r);
  if (!reader.ok()) return fail(name, reader.status(), kExitUsage);
  const std::optional<ledger::GenesisPseudonym>& service = reader->genesis().genesis.pseudonym;
  if (!service) {
    return fail(name, ledger::Status::error("no_pseudonym_service", "the genesis file names no pseudonym service"),
                kExitUsage);
  }
  auto service_key = ledger::oprf_element_from_bytes(service->public_key);
  if (!service_key.ok()) return fail(name, service_key.status(), kExitUsage);
  auto ids = read_ids(input);
  if (!ids.ok()) return fail(name, ids.status(), kExitUsage);
  std::vector<std::string> refs;
  for (size_t start = 0; start < ids->size(); start += ledger::kMaxPseudonymBatch) {
    const size_t n = std::min(ledger::kMaxPseudonymBatch, ids->size() - start);
    auto request = ledger::blind_resident_ids(std::span(*ids).subspan(start, n));
    if (!request.ok()) return fail(name, request.status(), kExitUsage);
    auto reply = reader->post(request->target, request->body);
    if (!reply.ok()) return fail(name, reply.status(), kExitInvalid);
    if (reply->status != 200) {
      std::cerr << "medtrail: patient-ref: " << refusal_line(*reply) << "\n";
      return kExitInvalid;
    }
    auto batch = ledger::finish_patient_refs(*request, reply->body, *service_key);
    if (!batch.ok()) return fail(name, batch.status(), kExitInvalid);
    refs.insert(refs.end(), batch->begin(), batch->end());
    if (ids->size() > ledger::kMaxPseudonymBatch) {
      std::cerr << "patient-ref: " << refs.size() << " of " << ids->size() << "\n";
    }
  }
  for (const std::string& ref : refs) std::cout << ref << "\n";
  return 0;
}

}  // namespace

void add_patient_ref(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "patient-ref",
      "Patient refs of resident identity numbers (one per line on stdin), from the pseudonym service, "
      "blinded and proof-checked");
  auto r = std::make_shared<ReaderOptions>();
  auto input = std::make_shared<std::string>("-");
  add_reader_options(cmd, *r, "treatment");
  cmd->add_option("--input", *input, "A file of resident identity numbers, one per line (- for stdin)")
      ->capture_default_str();
  cmd->callback([r, input, &exit_code] { exit_code = run(*r, *input); });
}

}  // namespace medtrail::cli
