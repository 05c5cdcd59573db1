// `medtrail my-ref`: a citizen's own patient_ref (docs/privacy.md, "Citizens"), so they can
// look up their own trail. The resident id is read from standard input, blinded here, and the
// pseudonym service's answer is checked against the key the genesis file names; the
// credential the service's identity check reads (an electronic health card token) comes from a
// file, never the command line.
#include <iostream>
#include <memory>
#include <sstream>
#include <vector>

#include "commands.h"
#include "http_get.h"
#include "io.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/pseudonym.h"
#include "medtrail/ledger/resident_id.h"
#include "node_url.h"
#include "signed_reader.h"

namespace medtrail::cli {

namespace {

struct MyRefOptions {
  std::string node = "https://127.0.0.1:8080";
  std::string genesis;
  std::string credential_file;
  std::string input = "-";
  int timeout_s = 15;
};

int run(const MyRefOptions& o) {
  const std::string name = "my-ref";
  auto node = parse_node_url(o.node);
  if (!node.ok()) return fail(name, node.status(), kExitUsage);
  auto genesis = ledger::load_genesis_file(o.genesis);
  if (!genesis.ok()) return fail(name, genesis.status(), kExitUsage);
  trust_genesis_pins(*node, genesis->genesis);
  if (!genesis->genesis.pseudonym) {
    return fail(name, ledger::Status::error("no_pseudonym_service", "the genesis file names no pseudonym service"),
                kExitUsage);
  }
  auto service_key = ledger::oprf_element_from_bytes(genesis->genesis.pseudonym->public_key);
  if (!service_key.ok()) return fail(name, service_key.status(), kExitUsage);
  auto credential = read_input(o.credential_file, ledger::kMaxCitizenCredentialBytes + 2);
  if (!credential.ok()) return fail(name, credential.status(), kExitUsage);
  auto id = read_input(o.input, 64);
  if (!id.ok()) return fail(name, id.status(), kExitUsage);
  auto request = ledger::blind_resident_ids(std::vector<std::string>{first_line(*id)});
  if (!request.ok()) return fail(name, request.status(), kExitUsage);
  const std::string body = ledger::citizen_pseudonym_request_json(first_line(*credential), request->blinded[0]);
  auto reply = http_exchange(*node, "POST", std::string(ledger::kCitizenPseudonymPath), body,
                             std::chrono::seconds(o.timeout_s), 1 << 16, {});
  if (!reply.ok()) return fail(name, reply.status(), kExitInvalid);
  if (reply->status != 200) {
    std::cerr << "medtrail: my-ref: " << refusal_line(*reply) << "\n";
    return kExitInvalid;
  }
  auto refs = ledger::finish_patient_refs(*request, reply->body, *service_key);
  if (!refs.ok()) return fail(name, refs.status(), kExitInvalid);
  std::cout << (*refs)[0] << "\n";
  return 0;
}

}  // namespace

void add_my_ref(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("my-ref",
                                 "A citizen's own patient ref: the resident id on stdin, blinded; the service's "
                                 "proof checked against genesis");
  auto o = std::make_shared<MyRefOptions>();
  cmd->add_option("--node", o->node, "The pseudonym service node's URL (its public listener)")->capture_default_str();
  cmd->add_option("--genesis", o->genesis, "The genesis file you trust")->required();
  cmd->add_option("--credential-file", o->credential_file,
                  "A file holding the credential the service's identity check reads (health card token)")
      ->required();
  cmd->add_option("--input", o->input, "A file holding the resident identity number (- for stdin)")
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout_s, "Seconds the service has to answer")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace medtrail::cli
