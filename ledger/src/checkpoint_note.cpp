#include "medtrail/ledger/checkpoint_note.h"

#include "medtrail/ledger/decimal.h"

#include <algorithm>
#include <vector>

namespace medtrail::ledger {
namespace {

constexpr std::string_view kOriginPrefix = "medtrail/";
constexpr std::string_view kEmDash = "\xE2\x80\x94";  // U+2014
constexpr std::string_view kSm2TypeId = "medtrail-sm2-sm3";

Status bad_note(const std::string& why) { return Status::error("bad_note", "not a medtrail checkpoint note: " + why); }

// Splits at '\n'; `text` ends with '\n', so the last piece is empty and dropped.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

bool parse_u64(std::string_view text, uint64_t& out) {
  const std::optional<uint64_t> n = parse_decimal(text);
  if (n) out = *n;
  return n.has_value();
}

bool parse_hash_base64(std::string_view text, Hash& out) {
  auto bytes = from_base64(text);
  if (!bytes.ok() || bytes->size() != kHashSize) return false;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return true;
}

bool value_after(std::string_view line, std::string_view key, std::string_view& value) {
  if (line.size() <= key.size() || line.substr(0, key.size()) != key) return false;
  value = line.substr(key.size());
  return true;
}

Result<Checkpoint> checkpoint_from_text(std::string_view text, const Hash& chain_id) {
  std::vector<std::string_view> lines = lines_of(text);
  if (lines.size() != 5) return bad_note("a checkpoint text has five lines");
  if (lines[0] != checkpoint_origin(chain_id)) {
    if (lines[0].substr(0, kOriginPrefix.size()) == kOriginPrefix) {
      return Status::error("wrong_chain", "the checkpoint is of another chain: " + std::string(lines[0]));
    }
    return bad_note("the origin is not a medtrail chain");
  }
  Checkpoint cp;
  cp.chain_id = chain_id;
  std::string_view height;
  std::string_view block;
  if (!parse_u64(lines[1], cp.tree_size)) return bad_note("the tree size is not a decimal");
  if (!parse_hash_base64(lines[2], cp.tree_root)) return bad_note("the root is not a base64 hash");
  if (!value_after(lines[3], "height ", height) || !parse_u64(height, cp.height)) {
    return bad_note("the fourth line is not \"height <n>\"");
  }
  if (!value_after(lines[4], "block ", block) || !parse_hash_base64(block, cp.block_hash)) {
    return bad_note("the fifth line is not \"block <base64 hash>\"");
  }
  // The one spelling: a text that parses but reads back differently was not made by a node.
  if (checkpoint_note_text(cp) != text) return bad_note("the text is not in its canonical form");
  return cp;
}

uint32_t read_be32(ByteView b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

}  // namespace

std::string checkpoint_origin(const Hash& chain_id) {
  return std::string(kOriginPrefix) + to_hex(chain_id);
}

std::string checkpoint_note_text(const Checkpoint& cp) {
  std::string text = checkpoint_origin(cp.chain_id);
  text += '\n';
  text += std::to_string(cp.tree_size);
  text += '\n';
  text += to_base64(cp.tree_root);
  text += "\nheight ";
  text += std::to_string(cp.height);
  text += "\nblock ";
  text += to_base64(cp.block_hash);
  text += '\n';
  return text;
}

uint32_t note_key_id(const CryptoSuite& suite, std::string_view key_name, ByteView public_key) {
  Bytes type;
  if (suite.name() == kSuiteSm2Sm3) {
    type.push_back(0xFF);
    type.insert(type.end(), kSm2TypeId.begin(), kSm2TypeId.end());
  } else {
    type.push_back(0x01);
  }
  const uint8_t newline = 0x0A;
  // SHA-256 whatever the chain's suite: the key ID is signed-note's, not the chain's.
  Hash h = ed25519_sha256().hash_parts({as_bytes(key_name), ByteView(&newline, 1), type, public_key});
  return read_be32(h);
}

std::string checkpoint_note(const CryptoSuite& suite, const SignedCheckpoint& signed_cp) {
  std::string note = checkpoint_note_text(signed_cp.checkpoint);
  note += '\n';
  for (const CheckpointSignature& s : signed_cp.signatures) {
    const uint32_t id = note_key_id(suite, s.signer, s.public_key);
    Bytes blob = {static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16),
                  static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)};
    blob.insert(blob.end(), s.signature.begin(), s.signature.end());
    note += kEmDash;
    note += ' ';
    note += s.signer;
    note += ' ';
    note += to_base64(blob);
    note += '\n';
  }
  return note;
}

Result<SignedCheckpoint> checkpoint_from_note(const CryptoSuite& suite, std::string_view note,
                                              const Hash& chain_id, const CheckpointTrust& trust) {
  if (note.size() > kMaxNoteBytes) return bad_note("larger than " + std::to_string(kMaxNoteBytes) + " bytes");
  if (note.empty() || note.back() != '\n') return bad_note("a note ends with a newline");
  // signed-note: a note is UTF-8, its signature lines' key names included (a reader that keeps
  // or prints a note relies on it).
  if (!is_valid_utf8(note)) return bad_note("not UTF-8");
  // Control characters other than newline are never allowed; the em dash is the only non-ASCII
  // sequence a medtrail note holds, and it is matched exactly below.
  if (std::any_of(note.begin(), note.end(), [](char c) { return c != '\n' && static_cast<unsigned char>(c) < 0x20; })) {
    return bad_note("a control character");
  }
  // The text ends at the last blank line.
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return bad_note("no blank line before the signatures");
  std::string_view text = note.substr(0, split + 1);
  std::string_view signature_block = note.substr(split + 2);
  auto checkpoint = checkpoint_from_text(text, chain_id);
  if (!checkpoint.ok()) return checkpoint.status();

  SignedCheckpoint out;
  out.checkpoint = *checkpoint;
  std::vector<std::string_view> lines = lines_of(signature_block);
  if (lines.empty()) return bad_note("no signature line");
  if (lines.size() > kMaxNoteSignatures) return bad_note("more than " + std::to_string(kMaxNoteSignatures) + " signatures");
  for (std::string_view line : lines) {
    if (line.substr(0, kEmDash.size() + 1) != std::string(kEmDash) + " ") return bad_note("a signature line starts with an em dash");
    line.remove_prefix(kEmDash.size() + 1);
    size_t space = line.find(' ');
    if (space == 0 || space == std::string_view::npos) return bad_note("a signature line is \"— <name> <signature>\"");
    std::string_view name = line.substr(0, space);
    if (name.find('+') != std::string_view::npos) return bad_note("a key name holds a plus sign");
    auto blob = from_base64(line.substr(space + 1));
    if (!blob.ok() || blob->size() < 5) return bad_note("a signature is not base64 of a key ID and a signature");
    const uint32_t id = read_be32(*blob);
    for (const TrustedSigner& signer : trust.signers) {
      if (signer.signer != name || note_key_id(suite, name, signer.public_key) != id) continue;
      out.signatures.push_back(CheckpointSignature{signer.signer, signer.public_key, Bytes(blob->begin() + 4, blob->end())});
      break;
    }
  }
  return out;
}

}  // namespace medtrail::ledger
