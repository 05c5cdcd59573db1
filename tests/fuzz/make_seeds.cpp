// Writes the seed corpora of tests/fuzz/corpus/ (scripts/fuzz --seeds): well-formed inputs of every
// decoder, made with the encoders and signers the node itself uses, so each target starts from
// inputs that reach deep into its decoder. Deterministic but for signatures' keys.
#include <rocksdb/db.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "contracts/contract_fixture.h"
#include "contracts/fuzz_seeds.h"
#include "core/peer_frames.h"
#include "medtrail/consensus/codec.h"
#include "medtrail/contracts/state_json.h"
#include "medtrail/ledger/block.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/checkpoint_note.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/ledger_image.h"
#include "medtrail/ledger/proposal.h"
#include "medtrail/ledger/pseudonym.h"
#include "medtrail/ledger/signed_query.h"
#include "peer/frame_codec.h"
#include "state_keys.h"
#include "support/chain_fixture.h"

using namespace medtrail;
namespace fs = std::filesystem;

namespace {

fs::path root;

void put(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(root / target);
  std::ofstream(root / target / name, std::ios::binary) << bytes;
}
std::string text(const ledger::Bytes& b) { return std::string(b.begin(), b.end()); }
std::string tagged(char tag, const std::string& bytes) { return std::string(1, tag) + bytes; }

template <typename T>
T must(ledger::Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "make_seeds: %s\n", r.status().message().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds CORPUS_DIR\n");
    return 2;
  }
  root = argv[1];
  const ledger::CryptoSuite& suite = ledger::ed25519_sha256();
  const ledger::KeyPair key = must(suite.generate_keypair());
  const ledger::Hash chain = suite.hash(ledger::as_bytes(std::string("fuzz-seeds")));

  const nlohmann::json bodies[] = {
      {{"patient_ref", std::string(64, 'a')},
       {"type", "normal"},
       {"channel", "offline"},
       {"diagnosis_code", "J02.9"},
       {"items",
        {{{"drug_code", "86979474000084"},
          {"name", "Amoxicillin \"250\" {mg}"},
          {"quantity", 20},
          {"unit", "capsule"},
          {"days_supply", 5}}}}},
      {{"rx_id", std::string(64, 'b')},
       {"items", {{{"drug_code", "86979474000084"}, {"quantity", 12}}}}},
      {{"code", "TW-000000001"},
       {"passed", true},
       {"note", "\u6d88\u6bd2 ok"},
       {"temps", {85, 90.5, -1}}},
  };
  const char* kinds[] = {"rx.issue", "rx.dispense", "tableware.batch"};
  ledger::Proposal proposal;
  proposal.timestamp_ms = 1796386744672;
  for (size_t i = 0; i < std::size(bodies); ++i) {
    nlohmann::json payload = {{"v", ledger::kPayloadVersion},
                              {"kind", kinds[i]},
                              {"org", "hosp-a"},
                              {"actor", "hosp-a/dr-li"},
                              {"ts", "2026-12-04T10:00:00+08:00"},
                              {"nonce", "n-" + std::to_string(i)},
                              {"body", bodies[i]}};
    std::string p = payload.dump();
    put("payload", "payload-" + std::to_string(i), p);
    // A key order that puts the body first, and spaces, as a client may write them.
    put("payload", "payload-spaced-" + std::to_string(i),
        "{ \"body\" : " + bodies[i].dump(1) + " ,\n" + p.substr(1));
    ledger::Envelope e = must(ledger::sign_envelope(ledger::Bytes(p.begin(), p.end()), key));
    e.signer = "hosp-a/dr-li";
    put("envelope", "envelope-" + std::to_string(i), ledger::envelope_to_wire(e));
    proposal.envelopes.push_back(e);

    ledger::LeafRecord leaf;
    leaf.envelope = e;
    leaf.signer_public_key = key.public_key;
    leaf.result = i == 1 ? ledger::ExecutionResult::reject("already_dispensed", "no")
                         : ledger::ExecutionResult::accept();
    leaf.height = 7;
    leaf.timestamp_ms = proposal.timestamp_ms;
    put("block", "leaf-" + std::to_string(i), tagged(3, text(ledger::encode_leaf(leaf))));
  }

  ledger::SignedCheckpoint cp;
  cp.checkpoint = {chain, 7, suite.hash(ledger::as_bytes(std::string("b"))), 42,
                   suite.hash(ledger::as_bytes(std::string("r")))};
  cp.signatures.push_back({"hosp-a/n1", key.public_key, ledger::Bytes(64, 7)});
  proposal.checkpoints.push_back(cp);
  put("block", "proposal", tagged(0, text(ledger::encode_proposal(proposal))));
  ledger::Block block;
  block.header = {chain, 7, chain, proposal.timestamp_ms, 39, 3, 42, chain, chain, chain, 2, 19};
  block.checkpoints.push_back(cp);
  put("block", "block", tagged(1, text(ledger::encode_block(block))));
  put("block", "header", tagged(2, text(ledger::encode_header(block.header))));

  const char* targets[] = {
      "/v1/prescriptions/0c47a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e",
      "/v1/audit/trails/org/disinf-d?limit=100&format=csv",
      "/v1/audit/search?kind=rx.dispense&result=rejected"};
  for (size_t i = 0; i < std::size(targets); ++i) {
    ledger::QueryToSign q;
    q.target = targets[i];
    q.purpose = i == 0 ? "dispensing" : "audit";
    q.node = "n1";
    put("signed_query", "query-" + std::to_string(i),
        must(ledger::sign_query(suite, chain, key, "hosp-a/ph-wang", q, 1796386744672,
                                "00ff" + std::to_string(i))));
  }

  // pseudonym: tag byte (reader << 6 | count - 1), then the bytes.
  {
    const ledger::OprfServerKey service = ledger::oprf_generate_key_pair();
    const std::vector<std::string> ids = {"110101199003077571", "11010519491231002X"};
    auto request = must(ledger::blind_resident_ids(ids));
    auto evaluation =
        must(ledger::oprf_blind_evaluate(ledger::kPseudonymMode, service, request.blinded));
    put("pseudonym", "request", tagged(static_cast<char>(0 << 6 | 1), request.body));
    put("pseudonym", "response",
        tagged(static_cast<char>(1 << 6 | 1),
               ledger::pseudonym_response_json(evaluation, service.public_key)));
    put("pseudonym", "target", tagged(static_cast<char>(2 << 6), request.target));
    put("pseudonym", "citizen",
        tagged(static_cast<char>(2 << 6),
               ledger::citizen_pseudonym_request_json("card-0001", request.blinded[0])));
    put("pseudonym", "element",
        tagged(static_cast<char>(3 << 6),
               text(ledger::Bytes(service.public_key.begin(), service.public_key.end()))));
    put("pseudonym", "proof",
        tagged(static_cast<char>(3 << 6), text(ledger::serialize_proof(evaluation.proof))));
  }

  consensus::Message append{.type = consensus::MessageType::kAppend,
                            .from = 1,
                            .to = 2,
                            .term = 3,
                            .index = 9,
                            .log_term = 3,
                            .commit = 8};
  append.entries.push_back(
      {3, 10, consensus::EntryType::kNormal, text(ledger::encode_proposal(proposal))});
  put("raft_message", "append", consensus::encode_message(append));
  const consensus::Message vote{
      .type = consensus::MessageType::kVoteResponse, .from = 2, .to = 1, .term = 4, .reject = true};
  put("raft_message", "vote-response", consensus::encode_message(vote));
  consensus::Message chunk{.type = consensus::MessageType::kSnapshotChunk, .term = 5};
  chunk.snapshot_offset = 4096;
  chunk.snapshot_size = 8192;
  chunk.snapshot_chunk = std::string(300, 'x');
  chunk.context = "read-1";
  put("raft_message", "snapshot-chunk", consensus::encode_message(chunk));
  put("raft_message", "entry", consensus::encode_entry(append.entries[0]));

  for (size_t i = 0; i < std::size(fuzz::kStateKeys); ++i) {
    if (auto bytes =
            contracts::state_value_from_json(fuzz::kStateKeys[i], nlohmann::json::object())) {
      put("state_value", "default-" + std::to_string(i), tagged(static_cast<char>(i), *bytes));
    }
  }
  const nlohmann::json dose_facts = {{"lot", "vlot/06901234567892/L1"},
                                     {"holder", "clinic-a"},
                                     {"status", "in_use"},
                                     {"doses_given", 2},
                                     {"opened_at_ms", 1790000000000}};
  const size_t pub = fuzz::state_key_index("pub/");
  put("state_value", "public-facts",
      tagged(static_cast<char>(pub),
             *contracts::state_value_from_json(fuzz::kStateKeys[pub], dose_facts)));
  const size_t ixh = fuzz::state_key_index("ixh/");
  const nlohmann::json head = {{"count", 3}, {"chain", std::string(64, 'a')}};
  put("state_value", "trail-head",
      tagged(static_cast<char>(ixh),
             *contracts::state_value_from_json(fuzz::kStateKeys[ixh], head)));

  ledger::Genesis genesis;
  genesis.chain_name = "fuzz";
  genesis.created = "2026-12-04T10:00:00+08:00";
  genesis.organisations.push_back({"hosp-a", "Hospital A", {"hospital"}, key.public_key});
  put("text_formats", "genesis", tagged(0, ledger::genesis_to_json(genesis)));
  put("text_formats", "checkpoint", tagged(1, ledger::checkpoint_to_json(cp).dump()));
  put("text_formats", "tile", tagged(2, "tile/0/x001/234.p/7"));
  put("text_formats", "proof",
      tagged(3, R"({"leaf_index":3,"tree_size":42,"path":["00"],"root":"00","leaf_data":"00"})"));
  put("text_formats", "time", tagged(4, "2026-12-04T10:00:00.123+08:00"));

  // A peer link: a hello, a length header, a Raft message, a forwarded proposal, a checkpoint.
  put("peer_frame", "hello", tagged(0, *node::peer::encode_hello("hosp-a/node-1")));
  const node::peer::FrameHeader header = node::peer::encode_frame_header(4096);
  put("peer_frame", "length", tagged(1, std::string(header.begin(), header.end())));
  put("peer_frame", "raft", tagged(2, node::raft_frame(append)));
  put("peer_frame", "forward", tagged(2, node::forward_frame(proposal)));
  put("peer_frame", "checkpoint", tagged(2, node::checkpoint_frame(cp)));

  // What clients send the listeners.
  put("http_request", "get",
      "GET /v1/trace/TW-000000001?lang=zh%2DCN HTTP/1.1\r\nHost: n1\r\n"
      "X-Forwarded-For: 203.0.113.9, 10.0.0.2\r\n\r\n");
  put("http_request", "post",
      "POST /v1/records?wait=commit HTTP/1.1\r\nHost: n1\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
          std::to_string(ledger::envelope_to_wire(proposal.envelopes[0]).size()) + "\r\n\r\n" +
          ledger::envelope_to_wire(proposal.envelopes[0]));
  put("http_request", "chunked",
      "POST /v1/records HTTP/1.1\r\nHost: n1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n0\r\n\r\n");
  put("http_request", "audit",
      "GET /v1/audit/trails/rx/%30abc/?limit=5&format=csv&echo=a%20b%09c&x HTTP/1.0\r\n\r\n");

  // Every contract's seed bodies, each valid in the state the target prepares.
  contracts::testing::ContractFixture fixture;
  for (const auto& [kind, seeds] : contracts::fuzz_testing::prepare_seeds(fixture)) {
    for (size_t i = 0; i < seeds.size(); ++i) {
      put("contract_body", kind + "-" + std::to_string(i),
          kind + " " + std::to_string(i) + "\n" + seeds[i].body.dump());
    }
  }

  // A ledger image of a short chain with checkpoints, after the trust that checks them.
  {
    testing::TempDir dir;
    ledger::ChainStoreOptions options;
    options.sync = false;
    auto store = must(
        ledger::ChainStore::open(dir.file("chain"), suite, testing::test_chain_id(suite), options));
    testing::TestConsortium consortium(suite);
    testing::ChainSpec spec;
    spec.blocks = 4;
    spec.leaves_per_block = 2;
    testing::build_chain(*store, consortium, spec);
    std::string trust(1, static_cast<char>(consortium.node_keys.size()));
    for (const auto& k : consortium.node_keys) trust += text(k.public_key);
    put("ledger_image", "chain-4", trust + must(ledger::export_ledger_image(*store, {})));
    // The same chain with a state entry no block wrote: the install's rebuilt state map does not
    // give the head's root (LedgerImageTest.AStateThatDisagreesWithTheHead...).
    if (!store->db()
             ->Put(rocksdb::WriteOptions(), store->column_family(ledger::ColumnFamily::kState),
                   "test/smuggled", "x")
             .ok()) {
      std::fprintf(stderr, "make_seeds: cannot write the smuggled state entry\n");
      return 1;
    }
    put("ledger_image", "state-disagrees", trust + must(ledger::export_ledger_image(*store, {})));
  }
  // Add-checkpoint requests of a short chain, signed by the consortium the witness target trusts
  // (witness_fuzz.cpp, kConsortiumSeed): "<setup request>\0<request>" or a request alone.
  {
    testing::TempDir dir;
    auto store = testing::open_test_store(dir.file("chain"), suite);
    testing::TestConsortium builder(suite);
    testing::ChainSpec spec;
    spec.blocks = 6;
    spec.checkpoints = false;
    testing::build_chain(*store, builder, spec);
    const testing::TestConsortium consortium(suite, /*kConsortiumSeed*/ 40);
    const auto note = [&](uint64_t height) {
      const ledger::BlockHeader h = must(store->header_at(height));
      return ledger::checkpoint_note(
          suite, consortium.signed_checkpoint(suite, {h.chain_id, h.height,
                                                      ledger::block_hash(suite, h), h.tree_size,
                                                      h.tree_root}));
    };
    const auto size_at = [&](uint64_t height) { return must(store->header_at(height)).tree_size; };
    const auto request = [&](uint64_t old_size, uint64_t height) {
      std::string body = "old " + std::to_string(old_size) + "\n";
      if (old_size > 0 && old_size < size_at(height)) {
        const ledger::ConsistencyProof proof =
            must(store->consistency_proof(old_size, size_at(height)));
        for (const ledger::Hash& h : proof.path) {
          body += ledger::to_base64(ledger::ByteView(h.data(), h.size())) + "\n";
        }
      }
      return body + "\n" + note(height);
    };
    const std::string setup = request(0, 3) + std::string(1, '\0');
    put("witness", "first", request(0, 3));
    put("witness", "extends", setup + request(size_at(3), 5));
    put("witness", "same-size", setup + request(size_at(3), 3));
    put("witness", "conflict", setup + request(0, 5));
    put("witness", "older", setup + request(size_at(3), 2));
  }
  std::printf("make_seeds: corpora written to %s\n", root.c_str());
  return 0;
}
