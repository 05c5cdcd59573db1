// `medtrail my-vaccinations`: a citizen's own vaccination record (预防接种证; docs/privacy.md, "A
// citizen's vaccination record"). The credential the service's identity check reads (an
// electronic health card token naming its holder) comes from a file, never the command line. The
// answer is checked before it is shown: the checkpoint is this chain's and signed by a quorum of
// its organisations (the genesis file you trust), each dose's record is in the tree it signed,
// and each record names the ref the answer is about. A dose newer than the checkpoint is shown as
// not yet provable, never as proven.
#include <cctype>
#include <cstdio>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "http_get.h"
#include "io.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/pseudonym.h"
#include "medtrail/ledger/rfc3339.h"
#include "node_url.h"
#include "signed_reader.h"
#include "trail_proofs.h"

namespace medtrail::cli {

namespace {

using nlohmann::json;

struct MyVaccinationsOptions {
  std::string node = "https://127.0.0.1:8080";
  std::string genesis;
  std::string credential_file;
  int timeout_s = 15;
};

// `ms` as "YYYY-MM-DD HH:MM" at the chain's fixed UTC offset ("+08:00": genesis' time_zone), the
// day a vaccination certificate shows; UTC when the offset does not read.
std::string local_time(int64_t ms, const std::string& zone) {
  int64_t offset_min = 0;
  if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' &&
      std::isdigit(static_cast<unsigned char>(zone[1])) && std::isdigit(static_cast<unsigned char>(zone[2])) &&
      std::isdigit(static_cast<unsigned char>(zone[4])) && std::isdigit(static_cast<unsigned char>(zone[5]))) {
    offset_min = ((zone[1] - '0') * 10 + (zone[2] - '0')) * 60 + (zone[4] - '0') * 10 + (zone[5] - '0');
    if (zone[0] == '-') offset_min = -offset_min;
  }
  const int64_t local_s = ms / 1000 - (ms % 1000 < 0 ? 1 : 0) + offset_min * 60;
  int64_t days = local_s / 86400;
  int64_t rest = local_s % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  int64_t year;
  unsigned month, day;
  ledger::civil_from_days(days, year, month, day);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld", static_cast<long long>(year), month, day,
                static_cast<long long>(rest / 3600), static_cast<long long>(rest % 3600 / 60));
  return buf;
}

// The record as it is shown, once every check passed; the problem otherwise.
struct Shown {
  std::string text;
  std::string problem;
};

Shown check_and_render(const json& answer, const ledger::LoadedGenesis& genesis) {
  Shown out;
  if (!answer.is_object() || !answer.value("rows", json()).is_array() ||
      !answer.value("patient_ref", json()).is_string()) {
    out.problem = "the node's answer is not a vaccination record";
    return out;
  }
  const std::string ref = answer["patient_ref"].get<std::string>();
  // Without a checkpoint nothing is proven, whatever the rows carry.
  const bool has_checkpoint = !answer.value("checkpoint", json()).is_null();
  TrailPageCheck check;
  if (has_checkpoint) check = check_trail_page(answer, genesis);
  if (check.problem.empty()) check.problem = first_row_not_a_dose_of(answer, ref);
  if (!check.problem.empty()) {
    out.problem = check.problem;
    return out;
  }
  std::string text = "Vaccination record of patient ref " + printable_text(ref) + "\n";
  size_t proven = 0;
  for (const json& row : answer["rows"]) {
    const bool is_proven = has_checkpoint && row.value("proof", json()).is_object();
    proven += is_proven ? 1 : 0;
    const json& at = row.value("at_ms", json());
    const json& dose = row.value("dose_number", json());
    auto fact = [&](const char* field) {
      const json& v = row.value(field, json());
      return v.is_string() ? printable_text(v.get<std::string>()) : std::string("?");
    };
    text += "  " + (at.is_number_integer() ? local_time(at.get<int64_t>(), genesis.genesis.time_zone) : std::string("?")) +
            "  " + fact("vaccine") + "  lot " + fact("lot") +
            (dose.is_number_integer() ? "  dose " + std::to_string(dose.get<int64_t>()) : std::string()) + "  at " +
            fact("organisation") + "  code " + fact("code") +
            (row.value("lot_recalled", json()) == true ? "  LOT RECALLED since" : "") +
            (is_proven ? "  [proven]" : "  [not yet provable]") + "\n";
  }
  if (answer["rows"].empty()) text += "  no doses on the chain\n";
  if (answer.value("truncated", json()) == true) text += "  (more doses than one answer lists)\n";
  if (answer.value("scan_truncated", json()) == true) text += "  (the record's trail is longer than one answer reads)\n";
  text += std::to_string(proven) + " proven" +
          (has_checkpoint ? " against the checkpoint at height " + std::to_string(check.checkpoint_height) +
                                " signed by a quorum of your genesis"
                          : std::string(" (the node has no quorum checkpoint yet)")) +
          "; " + std::to_string(answer["rows"].size() - proven) + " not yet provable\n" +
          "(the time, the code, the dose number and who gave it are the proven record's; vaccine, lot and "
          "recall are the node's state)\n";
  out.text = std::move(text);
  return out;
}

int run(const MyVaccinationsOptions& o) {
  const std::string name = "my-vaccinations";
  auto node = parse_node_url(o.node);
  if (!node.ok()) return fail(name, node.status(), kExitUsage);
  auto genesis = ledger::load_genesis_file(o.genesis);
  if (!genesis.ok()) return fail(name, genesis.status(), kExitUsage);
  trust_genesis_pins(*node, genesis->genesis);
  auto credential = read_input(o.credential_file, ledger::kMaxCitizenCredentialBytes + 2);
  if (!credential.ok()) return fail(name, credential.status(), kExitUsage);
  const std::string card = first_line(*credential);
  auto reply = http_exchange(*node, "POST", std::string(ledger::kCitizenVaccinationsPath),
                             ledger::citizen_credential_request_json(card), std::chrono::seconds(o.timeout_s),
                             8 << 20, {});
  if (!reply.ok()) return fail(name, reply.status(), kExitInvalid);
  if (reply->status != 200) {
    std::cerr << "medtrail: " << name << ": " << refusal_line(*reply) << "\n";
    return kExitInvalid;
  }
  Shown shown;
  try {
    shown = check_and_render(json::parse(reply->body, nullptr, false), *genesis);
  } catch (const json::exception&) {
    // A field of the wrong type is a node's lie like any other: a failed check, not a crash.
    shown.problem = "the answer is malformed (a field of the wrong type)";
  }
  if (!shown.problem.empty()) {
    std::cerr << "medtrail: " << name << ": the node's answer does not hold: " << printable_text(shown.problem) << "\n";
    return kExitInvalid;
  }
  std::cout << shown.text;
  return 0;
}

}  // namespace

void add_my_vaccinations(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("my-vaccinations",
                                 "A citizen's own vaccination record, each dose proven against a quorum "
                                 "checkpoint of the genesis you trust");
  auto o = std::make_shared<MyVaccinationsOptions>();
  cmd->add_option("--node", o->node, "The pseudonym service node's URL (its public listener)")->capture_default_str();
  cmd->add_option("--genesis", o->genesis, "The genesis file you trust")->required();
  cmd->add_option("--credential-file", o->credential_file,
                  "A file holding the credential the service's identity check reads (a health card token "
                  "that names its holder)")
      ->required();
  cmd->add_option("--timeout", o->timeout_s, "Seconds the service has to answer")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace medtrail::cli
