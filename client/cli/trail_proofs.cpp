#include "trail_proofs.h"

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/merkle.h"
#include "medtrail/ledger/proof_json.h"

namespace medtrail::cli {

namespace {

using nlohmann::json;

// Why `row` is not what its proof shows; "" when it is.
std::string check_row(const json& row, const json& proof, const ledger::SignedCheckpoint& cp,
                      const ledger::CryptoSuite& suite) {
  if (!proof.is_object()) return "the proof is not an object";
  auto bytes = ledger::from_hex(proof.value("leaf_data", ""));
  if (!bytes.ok()) return "leaf_data is not hex";
  auto leaf = ledger::decode_leaf(*bytes);
  if (!leaf.ok()) return "leaf_data is not a leaf: " + leaf.status().message();
  const uint64_t leaf_index = row.value("leaf_index", UINT64_MAX);
  if (proof.value("leaf_index", UINT64_MAX) != leaf_index ||
      proof.value("tree_size", uint64_t{0}) != cp.checkpoint.tree_size) {
    return "the proof is for another leaf or tree size";
  }
  if (ledger::record_id(suite, leaf->envelope) != row.value("record_id", ""))
    return "record_id is not the leaf's";
  auto fields = ledger::parse_payload(leaf->envelope);
  if (!fields.ok() || fields->kind != row.value("kind", "")) return "kind is not the leaf's";
  if (leaf->envelope.signer != row.value("actor", "")) return "actor is not the leaf's signer";
  if (leaf->result.accepted != row.value("accepted", !leaf->result.accepted))
    return "the result is not the leaf's";
  if (!leaf->result.accepted && leaf->result.reason_code != row.value("reason_code", "")) {
    return "reason_code is not the leaf's";
  }
  if (static_cast<int64_t>(leaf->timestamp_ms) != row.value("at_ms", int64_t{-1}))
    return "at_ms is not the leaf's";
  ledger::InclusionProof inclusion{leaf_index, cp.checkpoint.tree_size, {}};
  const json path = proof.value("path", json::array());
  if (!path.is_array() || path.size() > 64) return "the path is not a list of hashes";
  for (const json& h : path) {
    auto hash = h.is_string() ? ledger::hash_from_hex(h.get<std::string>())
                              : ledger::Result<ledger::Hash>(ledger::Status::error("", ""));
    if (!hash.ok()) return "the path is not a list of hashes";
    inclusion.path.push_back(*hash);
  }
  ledger::Status included = ledger::verify_inclusion(suite, ledger::merkle_leaf_hash(suite, *bytes),
                                                     inclusion, cp.checkpoint.tree_root);
  if (!included.ok()) return "the leaf is not in the checkpoint's tree (" + included.code() + ")";
  return "";
}

TrailPageCheck check_trail_page_unguarded(const json& page, const ledger::LoadedGenesis& genesis);

}  // namespace

std::string first_row_not_a_dose_of(const json& page, std::string_view patient_ref) {
  const json rows = page.is_object() ? page.value("rows", json()) : json();
  if (!rows.is_array()) return "the page's rows are not a list";
  for (const json& row : rows) {
    if (!row.is_object()) return "a row is not an object";
    const json& index = row.value("leaf_index", json());
    const std::string leaf_name =
        "leaf " + (index.is_number_integer() ? index.dump() : std::string("?")) + ": ";
    if (row.value("kind", json()) != "vaccine.administer" ||
        row.value("accepted", json()) != true) {
      return leaf_name + "the row is not an accepted vaccine.administer";
    }
    if (!row.value("proof", json()).is_object()) continue;
    const json& data = row["proof"].value("leaf_data", json());
    auto bytes = ledger::from_hex(data.is_string() ? data.get<std::string>() : "");
    if (!bytes.ok()) return leaf_name + "leaf_data is not hex";
    auto leaf = ledger::decode_leaf(*bytes);
    if (!leaf.ok()) return leaf_name + "leaf_data is not a leaf";
    json body;
    if (!ledger::parse_payload(leaf->envelope, &body).ok())
      return leaf_name + "the leaf's payload does not read";
    const json& ref = body.value("patient_ref", json());
    if (!ref.is_string() || ref.get<std::string>() != patient_ref)
      return leaf_name + "the record is about someone else";
    if (body.value("code", json()) != row.value("code", json()))
      return leaf_name + "code is not the leaf's";
    if (body.value("dose_number", json()) != row.value("dose_number", json())) {
      return leaf_name + "dose_number is not the leaf's";
    }
  }
  return "";
}

TrailPageCheck check_trail_page(const json& page, const ledger::LoadedGenesis& genesis) {
  try {
    return check_trail_page_unguarded(page, genesis);
  } catch (const json::exception&) {
    // A field of the wrong type is a node's lie like any other: a failed check, not a crash.
    TrailPageCheck out;
    out.problem = "the page is malformed (a field of the wrong type)";
    return out;
  }
}

namespace {

TrailPageCheck check_trail_page_unguarded(const json& page, const ledger::LoadedGenesis& genesis) {
  TrailPageCheck out;
  const ledger::CryptoSuite& suite = *genesis.suite;
  auto it = page.find("checkpoint");
  if (it == page.end() || !it->is_object()) {
    out.problem = "the page carries no checkpoint";
    return out;
  }
  auto cp = ledger::checkpoint_from_json(it->dump());
  if (!cp.ok()) {
    out.problem = "the checkpoint does not read: " + cp.status().message();
    return out;
  }
  if (ledger::Status s = ledger::verify_checkpoint_for_genesis(genesis, *cp); !s.ok()) {
    out.problem = "the checkpoint does not hold for your genesis: " + s.message();
    return out;
  }
  out.checkpoint_height = cp->checkpoint.height;
  for (const json& row : page.value("rows", json::array())) {
    const uint64_t leaf_index = row.value("leaf_index", UINT64_MAX);
    const json proof = row.value("proof", json());
    if (proof.is_null()) {
      if (leaf_index < cp->checkpoint.tree_size) {
        out.problem = "leaf " + std::to_string(leaf_index) +
                      " comes without a proof though the checkpoint covers it";
        return out;
      }
      ++out.unproven;
      continue;
    }
    if (std::string why = check_row(row, proof, *cp, suite); !why.empty()) {
      out.problem = "leaf " + std::to_string(leaf_index) + ": " + why;
      return out;
    }
    ++out.proven;
  }
  return out;
}

}  // namespace

}  // namespace medtrail::cli

namespace medtrail::cli {

std::string TrailCompleteness::add_page(const json& page) {
  try {
    return add_page_unguarded(page);
  } catch (const json::exception&) {
    return "the page's trail proofs are malformed (a field missing or of the wrong type)";
  }
}

std::string TrailCompleteness::add_page_unguarded(const json& page) {
  using ledger::TrailHead;
  const ledger::CryptoSuite& suite = *genesis_.suite;
  auto cp = ledger::checkpoint_from_json(page.at("checkpoint").dump());
  if (!cp.ok()) return "the checkpoint does not read: " + cp.status().message();
  if (ledger::Status s = ledger::verify_checkpoint_for_genesis(genesis_, *cp); !s.ok()) {
    return "the checkpoint does not hold for your genesis: " + s.message();
  }
  const uint64_t tree_size = cp->checkpoint.tree_size;
  // A node's newest quorum checkpoint can go back: a restart empties its pool of gathered ones,
  // and the newest a block carries is a block or two older. Such a page's proofs vouch for less
  // than an earlier page's, so they are set aside, as on a page without them; its rows still
  // join the chain, which a later page's proofs check.
  const bool older = tree_size < tree_size_;
  if (!older) tree_size_ = tree_size;

  // Every row joins the chain, proofs or not: a later page's first entry checks them all. The
  // chain through the last row below this tree size may end on an earlier page's row, listed
  // there above its own checkpoint and covered by this one. (The state moves as the page is
  // read: a page that fails ends the walk.)
  while (!pending_.empty() && pending_.front().first < tree_size_) {
    covered_ = pending_.front().second;
    pending_.pop_front();
    ++unproven_covered_;
  }
  struct Entry {
    const char* name;
    std::optional<uint64_t> leaf;
    TrailHead after;
  } first{"first", {}, {}}, last{"last", {}, {}};
  for (const json& row : page.at("rows")) {
    const json& index = row.at("leaf_index");
    if (!index.is_number_unsigned()) return "a row's leaf_index is not a leaf index";
    const uint64_t leaf = index.get<uint64_t>();
    if (last_leaf_ && leaf <= *last_leaf_)
      return "leaf " + std::to_string(leaf) + " comes out of chain order";
    last_leaf_ = leaf;
    chain_ = ledger::next_trail_head(suite, chain_, leaf);
    if (leaf >= tree_size_) {
      pending_.emplace_back(leaf, chain_);
      continue;
    }
    // Covered by the newer checkpoint, but listed above this page's own: what it says is the
    // node's word.
    if (older && leaf >= tree_size) ++unproven_covered_;
    if (!first.leaf) first = {"first", leaf, chain_};
    last = {"last", leaf, chain_};
    covered_ = chain_;
  }

  if (older) {
    unavailable_ =
        "a page's checkpoint was older than an earlier page's (its node restarted, or "
        "is behind), and its proofs of completeness were set aside";
    return "";
  }
  const json trail = page.value("trail", json());
  if (!trail.is_object()) {
    // A node that cannot serve them now (its map no longer keeps the checkpoint's height) or
    // does not know them: nothing is proven by this page, nothing refuted.
    unavailable_ = "the node served no proofs of the trail's completeness";
    return "";
  }
  auto header = ledger::checkpointed_header(suite, genesis_.chain_id, *cp,
                                            trail.at("header").get<std::string>());
  if (!header.ok()) return "the trail's header: " + header.status().message();
  // A head the state root proves under `key`: nullopt when the key holds nothing.
  auto proven_head = [&](const json& doc,
                         const std::string& key) -> ledger::Result<std::optional<TrailHead>> {
    auto value = ledger::verify_served_state(doc, suite, header->state_root, ledger::as_bytes(key));
    if (!value.ok()) return value.status();
    if (!*value) return std::optional<TrailHead>();
    auto head = ledger::decode_trail_head(ledger::as_chars(**value));
    if (!head.ok()) return head.status();
    return std::optional<TrailHead>(*head);
  };
  auto head = proven_head(trail.at("head"), ledger::trail_head_key(subject_));
  if (!head.ok()) return "the subject's head: " + head.status().message();
  for (const Entry& e : {first, last}) {
    if (!e.leaf) continue;
    const std::string leaf_name = "leaf " + std::to_string(*e.leaf);
    if (!trail.contains(e.name))
      return "the proof of " + leaf_name + "'s place on the trail is missing";
    auto entry = proven_head(trail[e.name], ledger::trail_entry_key(subject_, *e.leaf));
    if (!entry.ok()) return leaf_name + "'s place on the trail: " + entry.status().message();
    if (!*entry) return leaf_name + " is not on the subject's trail";
    if (**entry != e.after) {
      return leaf_name + " is record " + std::to_string((*entry)->count) +
             " of the trail, where the rows so far make it " + std::to_string(e.after.count) +
             ": the node left records out, or put others in";
    }
  }
  // Every row below the checkpoint has been shown once the trail ends here, or once any row so
  // far lies above it (rows come in chain order).
  if (page.at("next").is_null() || !pending_.empty()) {
    const TrailHead at_checkpoint = head->value_or(TrailHead{});
    if (at_checkpoint != covered_) {
      return "the trail holds " + std::to_string(at_checkpoint.count) + " records at block " +
             std::to_string(cp->checkpoint.height) + ", and the pages show " +
             std::to_string(covered_.count) +
             (at_checkpoint.count == covered_.count ? " others" : "") +
             ": the node left records out, or put others in";
    }
    // Two checkpoints of one tree size (blocks without records between them): the newer counts.
    if (!complete_at_ || *complete_at_ < cp->checkpoint.height)
      complete_at_ = cp->checkpoint.height;
    records_ = at_checkpoint.count;
    // Rows an earlier page listed above its own checkpoint, now below this one: on the trail,
    // but their contents were never checked against a leaf.
    unproven_listed_ = unproven_covered_;
  }
  return "";
}

}  // namespace medtrail::cli
