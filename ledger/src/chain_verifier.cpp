#include "medtrail/ledger/chain_verifier.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include <cstring>
#include <memory>
#include <optional>

#include "medtrail/ledger/merkle_log.h"
#include "medtrail/ledger/proposal.h"

namespace medtrail::ledger {
namespace {

struct Problem {
  uint64_t height = 0;
  std::string code;
  std::string message;
};

// Keeps the problem at the lowest height: verification reports the first bad block.
void note(std::optional<Problem>& first, uint64_t height, std::string code, std::string message) {
  if (!first || height < first->height) first = Problem{height, std::move(code), std::move(message)};
}

struct BlockInWindow {
  Block block;
  Hash hash;
};

// Per-leaf outcome of the parallel round.
struct LeafCheck {
  Hash hash{};
  std::string code;  // empty when the leaf is good
  std::string message;
};

class Verifier {
 public:
  Verifier(const ChainStore& store, const VerifyOptions& options)
      : store_(store), suite_(store.suite()), options_(options), log_(store.suite()) {
    runner_ = options.runner != nullptr ? options.runner : &inline_runner_;
  }

  VerifyReport run() {
    if (store_.install_interrupted()) {
      // It reads as an empty chain, but what it holds is part of an image, not a chain.
      note(first_, 0, "install_interrupted",
           "a ledger image install was interrupted: the store holds part of an image (starting "
           "the node finishes the install)");
    }
    block_hashes_.push_back(store_.chain_id());  // "height 0": what block 1 links to
    tree_sizes_.push_back(0);
    tree_roots_.push_back(merkle_empty_root(suite_));
    uint64_t chain_height = store_.height();
    uint64_t next = 1;
    while (next <= chain_height && !first_) {
      // Blocks before a bad header are still checked: the lowest bad height is reported.
      std::vector<BlockInWindow> window = read_window(next, chain_height);
      if (!window.empty()) check_window(window);
      if (first_) break;
      next += window.size();
      report_.blocks += window.size();
      if (options_.on_progress) options_.on_progress({next - 1, chain_height, report_.records});
    }
    // The head block is committed to by the store's head record rather than a successor.
    if (!first_ && chain_height > 0 && block_hashes_.size() == chain_height + 1 &&
        block_hashes_.back() != store_.last_block_hash()) {
      note(first_, chain_height, "bad_block_hash",
           "block " + std::to_string(chain_height) + ": contents differ from the stored head hash");
    }
    if (!first_) check_state(chain_height);
    if (first_) {
      report_.ok = false;
      report_.bad_height = first_->height;
      report_.problem_code = first_->code;
      report_.problem = first_->message;
    }
    return report_;
  }

 private:
  // The state column family must be what the head block's state root commits to: the stored
  // map's head version is rehashed from its entries up (state proofs are taken from those
  // nodes), and it must hold exactly the family's entries. (Earlier roots name states that
  // were overwritten; replaying the contracts is the only check for them, and that is the
  // node's job, not the ledger's.)
  void check_state(uint64_t chain_height) {
    const std::string at = "block " + std::to_string(chain_height) + ": ";
    std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(
        rocksdb::ReadOptions(), store_.column_family(ColumnFamily::kState)));
    it->SeekToFirst();
    if (chain_height == 0) {
      // No block commits to any state: there must be none (an image cannot smuggle some in).
      if (!it->status().ok()) return note(first_, 0, "corruption", "cannot read the state");
      if (it->Valid()) note(first_, 0, "bad_state_root", "an empty chain holds contract state");
      return;
    }
    auto header = store_.header_at(chain_height);
    if (!header.ok()) return note(first_, chain_height, "corruption", "cannot read the head block");
    const StateMap& map = store_.state_map();
    auto audit = map.audit(chain_height);
    if (!audit.ok()) {
      return note(first_, chain_height, map_problem(audit.status()),
                  at + "the stored state map: " + audit.status().message());
    }
    if (audit->root != header->state_root) {
      return note(first_, chain_height, "bad_state_root",
                  at + "the stored state map does not hash to the head's state root");
    }
    uint64_t entries = 0;
    for (; it->Valid(); it->Next(), ++entries) {
      const Hash key = state_key_hash(suite_, as_bytes(it->key().ToStringView()));
      auto value = map.get(chain_height, key);
      if (!value.ok()) {
        return note(first_, chain_height, map_problem(value.status()),
                    at + "the stored state map: " + value.status().message());
      }
      if (!value->has_value() ||
          **value != state_value_hash(suite_, as_bytes(it->value().ToStringView()))) {
        return note(first_, chain_height, "bad_state_root",
                    at + "the state column family holds an entry the state root does not");
      }
    }
    if (!it->status().ok()) return note(first_, chain_height, "corruption", "cannot read the state");
    if (entries != audit->entries) {
      note(first_, chain_height, "bad_state_root",
           at + "the state root holds " + std::to_string(audit->entries) +
               " entries, the state column family " + std::to_string(entries));
    }
  }

  // A map that does not read back as what it must be is a bad state root (its version missing
  // included: the head's state is then proven by nothing). RocksDB's own `corruption` (a table
  // file's checksum) cannot be told from the map's here, and is reported so too; any other
  // failure to read is what this verifier calls unreadable storage, `corruption`.
  static std::string map_problem(const Status& status) {
    const std::string& code = status.code();
    return code == "corruption" || code == "not_found" ? "bad_state_root" : "corruption";
  }

  // Reads and checks headers from `from` until the window holds enough leaves.
  std::vector<BlockInWindow> read_window(uint64_t from, uint64_t chain_height) {
    std::vector<BlockInWindow> window;
    size_t leaves = 0;
    for (uint64_t h = from; h <= chain_height && (window.empty() || leaves < options_.window_leaves);
         ++h) {
      auto block = store_.block_at(h);
      if (!block.ok()) {
        note(first_, h, "corruption", "block " + std::to_string(h) + ": " + block.status().message());
        break;
      }
      if (!check_header(*block)) break;
      Hash hash = block_hash(suite_, block->header);
      block_hashes_.push_back(hash);
      leaves += block->header.leaf_count;
      window.push_back({std::move(block).value(), hash});
    }
    return window;
  }

  bool check_header(const Block& block) {
    const BlockHeader& h = block.header;
    uint64_t height = block_hashes_.size();  // the height this block must have
    auto fail = [&](std::string code, std::string what) {
      note(first_, height, std::move(code), "block " + std::to_string(height) + ": " + what);
      return false;
    };
    if (h.height != height) return fail("bad_block", "header says height " + std::to_string(h.height));
    if (h.chain_id != store_.chain_id()) return fail("bad_block", "header names another chain");
    if (h.prev_block_hash != block_hashes_.back()) {
      // The link breaks when either block changed. If this block still hashes to what its
      // successor (or the stored head) commits to, the change is in the block before it.
      if (height > 1 && hash_is_committed(height, block_hash(suite_, h))) {
        note(first_, height - 1, "bad_block_hash",
             "block " + std::to_string(height - 1) +
                 ": contents differ from the hash block " + std::to_string(height) + " links to");
        return false;
      }
      return fail("bad_prev_hash", "prev_block_hash does not match the hash of block " +
                                       std::to_string(height - 1));
    }
    // A block holds one proposal's records at most: a header claiming more (say 2^40, with a
    // frontier forged to match) must not make the verifier allocate for them.
    if (h.leaf_count > kMaxProposalEnvelopes) {
      return fail("bad_block", "more leaves than a proposal may hold");
    }
    if (h.first_leaf != next_leaf_ || h.tree_size != h.first_leaf + h.leaf_count ||
        h.tree_size < h.first_leaf) {
      return fail("bad_block", "leaf range does not follow the previous block");
    }
    if (h.timestamp_ms < last_timestamp_ms_) return fail("bad_block", "timestamp goes backwards");
    if (h.checkpoints_digest != checkpoints_digest(suite_, block.checkpoints)) {
      return fail("bad_checkpoint", "carried checkpoints do not match the header's digest");
    }
    next_leaf_ = h.tree_size;
    last_timestamp_ms_ = h.timestamp_ms;
    return true;
  }

  // True iff `hash` is what block height+1 links to, or (for the head) the stored head hash.
  bool hash_is_committed(uint64_t height, const Hash& hash) const {
    if (height == store_.height()) return hash == store_.last_block_hash();
    auto next = store_.block_at(height + 1);
    return next.ok() && next->header.prev_block_hash == hash;
  }

  void check_window(const std::vector<BlockInWindow>& window) {
    uint64_t first_leaf = window.front().block.header.first_leaf;
    uint64_t end_leaf = window.back().block.header.tree_size;
    std::vector<LeafCheck> checks(end_leaf - first_leaf);
    if (!check_leaves(window, first_leaf, checks)) return;

    // Sequential: rebuild the tree from the recomputed leaf hashes. Every node the stored
    // tree must hold is collected, then compared with the stored one in parallel.
    std::vector<MerkleNode> expected;
    std::vector<uint64_t> expected_height;
    rebuild_tree(window, checks, expected, expected_height);

    check_nodes(expected, expected_height);
  }

  // The nodes a window completes end at its leaves, so their keys (ChainStore::merkle_key) are
  // one contiguous run, and MerkleLog::append gives them in key order (by leaf, then level): a
  // single iterator scan checks them rather than a point lookup per node.
  void check_nodes(const std::vector<MerkleNode>& expected, const std::vector<uint64_t>& heights) {
    std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(
        rocksdb::ReadOptions(), store_.column_family(ColumnFamily::kMerkle)));
    std::optional<Problem> problem;
    for (size_t i = 0; i < expected.size(); ++i) {
      const MerkleNode& node = expected[i];
      const std::string key = ChainStore::merkle_key(node.id.level, node.id.index);
      if (i == 0) it->Seek(key);
      // A key between two expected ones is a node the tree does not have: reported, then
      // stepped over so the nodes after it are still checked.
      if (it->Valid() && it->key().compare(key) < 0) {
        note(first_, heights[i], "bad_merkle_node",
             "block " + std::to_string(heights[i]) + ": a key no tree node has, before " +
                 node_text(node));
        it->Seek(key);
      }
      if (!it->Valid() || it->key() != rocksdb::Slice(key)) {
        // The iterator stays on the next key, which the next expected node may be.
        problem = Problem{heights[i], "bad_merkle_node", node_name(node, heights[i]) + " is missing"};
      } else {
        rocksdb::Slice value = it->value();
        if (value.size() != kHashSize ||
            std::memcmp(node.hash.data(), value.data(), kHashSize) != 0) {
          problem = Problem{heights[i], node.id.level == 0 ? "bad_leaf_hash" : "bad_merkle_node",
                            node_name(node, heights[i]) +
                                " differs from the hash recomputed from the leaves"};
        }
        it->Next();
      }
      if (problem) {
        note(first_, problem->height, problem->code, problem->message);
        problem.reset();
      }
    }
  }

  static std::string node_text(const MerkleNode& node) {
    return "merkle node (level " + std::to_string(node.id.level) + ", index " +
           std::to_string(node.id.index) + ")";
  }
  static std::string node_name(const MerkleNode& node, uint64_t height) {
    return "block " + std::to_string(height) + ": " + node_text(node);
  }

  // Appends the window's leaves to the verifier's own tree block by block, checking each
  // tree root and checkpoint; stops at the first bad leaf or block.
  void rebuild_tree(const std::vector<BlockInWindow>& window, const std::vector<LeafCheck>& checks,
                    std::vector<MerkleNode>& expected, std::vector<uint64_t>& expected_height) {
    size_t i = 0;
    for (const BlockInWindow& b : window) {
      const BlockHeader& h = b.block.header;
      for (uint64_t k = 0; k < h.leaf_count; ++k, ++i) {
        if (!checks[i].code.empty()) {
          note(first_, h.height, checks[i].code, checks[i].message);
          return;
        }
        log_.append(checks[i].hash, expected);
        expected_height.resize(expected.size(), h.height);
      }
      if (log_.root() != h.tree_root) {
        note(first_, h.height, "bad_tree_root",
             "block " + std::to_string(h.height) + ": tree_root does not match its leaves");
        return;
      }
      tree_sizes_.push_back(h.tree_size);
      tree_roots_.push_back(h.tree_root);
      if (!check_checkpoints(b.block)) return;
      report_.records += h.leaf_count;
    }
  }

  // Reads the window's leaves in runs of about window_bytes and checks each run in parallel;
  // only the (small) verdicts are kept. False, with a note, when a leaf is missing.
  bool check_leaves(const std::vector<BlockInWindow>& window, uint64_t first,
                    std::vector<LeafCheck>& checks) {
    std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(
        rocksdb::ReadOptions(), store_.column_family(ColumnFamily::kLeaves)));
    std::string key = ChainStore::height_key(first);
    it->Seek(key);
    std::vector<std::string> raw;
    std::vector<const BlockHeader*> leaf_header;
    uint64_t run_first = first;
    size_t run_bytes = 0;
    auto check_run = [&] {
      runner_->parallel_for(raw.size(), [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
          checks[run_first - first + i] = check_leaf(raw[i], run_first + i, *leaf_header[i]);
        }
      });
      run_first += raw.size();
      raw.clear();
      leaf_header.clear();
      run_bytes = 0;
    };
    for (const BlockInWindow& b : window) {
      const BlockHeader& h = b.block.header;
      for (uint64_t index = h.first_leaf; index < h.tree_size; ++index) {
        key = ChainStore::height_key(index);
        if (!it->Valid() || it->key().ToString() != key) {
          note(first_, h.height, "corruption",
               "block " + std::to_string(h.height) + ": leaf " + std::to_string(index) + " is missing");
          return false;
        }
        raw.push_back(it->value().ToString());
        run_bytes += raw.back().size();
        leaf_header.push_back(&h);
        it->Next();
        if (run_bytes >= options_.window_bytes) check_run();
      }
    }
    if (!it->status().ok()) {
      note(first_, window.front().block.header.height, "corruption", it->status().ToString());
      return false;
    }
    check_run();
    return true;
  }

  LeafCheck check_leaf(const std::string& raw, uint64_t index, const BlockHeader& header) const {
    LeafCheck out;
    uint64_t height = header.height;
    auto bad = [&](std::string code, std::string what) {
      out.code = std::move(code);
      out.message = "block " + std::to_string(height) + ", leaf " + std::to_string(index) + ": " + what;
      return out;
    };
    auto leaf = decode_leaf(as_bytes(raw));
    if (!leaf.ok()) return bad("corruption", leaf.status().message());
    if (leaf->height != height || leaf->timestamp_ms != header.timestamp_ms) {
      return bad("bad_leaf", "height or timestamp differs from its block");
    }
    if (leaf->envelope.suite != suite_.name()) return bad("bad_leaf", "envelope of another suite");
    if (!suite_.verify(leaf->signer_public_key, leaf->envelope.payload, leaf->envelope.signature)) {
      return bad("bad_signature", "envelope signature does not verify");
    }
    out.hash = merkle_leaf_hash(suite_, as_bytes(raw));
    return out;
  }

  bool check_checkpoints(const Block& block) {
    uint64_t height = block.header.height;
    for (const SignedCheckpoint& sc : block.checkpoints) {
      const Checkpoint& cp = sc.checkpoint;
      auto fail = [&](const std::string& what) {
        note(first_, height, "bad_checkpoint",
             "block " + std::to_string(height) + ": checkpoint for height " +
                 std::to_string(cp.height) + " " + what);
        return false;
      };
      if (cp.chain_id != store_.chain_id()) return fail("names another chain");
      if (cp.height == 0 || cp.height >= height) return fail("is not for an earlier block");
      if (cp.block_hash != block_hashes_[cp.height] || cp.tree_size != tree_sizes_[cp.height] ||
          cp.tree_root != tree_roots_[cp.height]) {
        return fail("does not match that block");
      }
      Status s = options_.trust != nullptr ? verify_checkpoint_quorum(suite_, sc, *options_.trust)
                                           : verify_checkpoint_signatures(suite_, sc);
      if (!s.ok()) return fail(s.message());
      report_.checkpoints += sc.signatures.size();
    }
    return true;
  }

  const ChainStore& store_;
  const CryptoSuite& suite_;
  const VerifyOptions& options_;
  InlineRunner inline_runner_;
  ParallelRunner* runner_;
  MerkleLog log_;
  std::vector<Hash> block_hashes_;
  std::vector<uint64_t> tree_sizes_;
  std::vector<Hash> tree_roots_;
  uint64_t next_leaf_ = 0;
  uint64_t last_timestamp_ms_ = 0;
  std::optional<Problem> first_;
  VerifyReport report_;
};

}  // namespace

VerifyReport verify_chain(const ChainStore& store, const VerifyOptions& options) {
  return Verifier(store, options).run();
}

}  // namespace medtrail::ledger
