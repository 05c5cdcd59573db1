// `medtrail get TARGET`: one signed, recorded read of the API (docs/api-auth.md), printed as the
// node answered it, with the receipt — the access record the read left on the chain.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "io.h"
#include "medtrail/ledger/signed_query.h"
#include "signed_reader.h"

namespace medtrail::cli {

void add_get(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "get", "Read one API resource as yourself: signs the query, which the node records on the "
             "chain before it answers; prints the answer and the receipt");
  auto o = std::make_shared<ReaderOptions>();
  auto target = std::make_shared<std::string>();
  cmd->add_option("target", *target, "The path to read, e.g. /v1/records/<id>")->required();
  add_reader_options(cmd, *o, "audit");
  cmd->callback([&exit_code, o, target] {
    if (!ledger::is_query_target(*target)) {
      exit_code = fail("get", ledger::Status::error("bad_field", "the target is a path from /, visible ASCII, at most 2048 bytes"),
                       kExitUsage);
      return;
    }
    auto reader = SignedReader::open(*o);
    if (!reader.ok()) {
      exit_code = fail("get", reader.status(), kExitUsage);
      return;
    }
    auto reply = reader->get(*target);
    if (!reply.ok()) {
      exit_code = fail("get", reply.status(), kExitUsage);
      return;
    }
    const std::string receipt = reply->header("medtrail-receipt");
    if (reply->status / 100 != 2) {
      std::cerr << "medtrail: get: refused: " << refusal_line(*reply) << "\n";
      if (!receipt.empty()) std::cerr << "  the refusal is on the chain: record " << receipt << "\n";
      exit_code = kExitInvalid;
      return;
    }
    nlohmann::json body = nlohmann::json::parse(reply->body, nullptr, false);
    std::cout << (body.is_discarded() ? reply->body : body.dump(2)) << "\n";
    std::cerr << "receipt: record " << receipt << " (your read, on the chain)\n";
    exit_code = 0;
  });
}

}  // namespace medtrail::cli
