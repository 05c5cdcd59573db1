#pragma once
// Checkpoints as C2SP signed notes (c2sp.org/tlog-checkpoint, c2sp.org/signed-note), so that
// off-the-shelf transparency-log tooling can follow a medtrail chain. The note text is exactly
// what every node key signs (checkpoint_signing_bytes), so the note's signature lines are the
// checkpoint's own co-signatures, one per signing node — nothing is signed twice:
//
//   medtrail/<chain id, 64 hex>
//   <tree size>
//   <base64 tree root>
//   height <block height>
//   block <base64 block hash>
//
//   — <org>/<node> base64(key ID ‖ signature)
//
// A note holds no NUL byte, while every other message a medtrail key signs is either a JSON
// object (records, queries) or starts with a NUL-terminated tag: a checkpoint signature can
// never be taken for any of them.
#include <cstdint>
#include <string>
#include <string_view>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

// Verifiers must accept at least 16 signatures (signed-note); a consortium has a few dozen.
inline constexpr size_t kMaxNoteSignatures = 256;
inline constexpr size_t kMaxNoteBytes = 64 * 1024;

// "medtrail/<chain id hex>": one origin per chain, the same on every node.
std::string checkpoint_origin(const Hash& chain_id);

// The note text of a checkpoint, final newline included.
std::string checkpoint_note_text(const Checkpoint& checkpoint);

// The signed-note key ID of a node key: the first four bytes, big-endian, of
// SHA-256(key name ‖ 0x0A ‖ type ‖ public key). Type 0x01 (Ed25519) for "ed25519-sha256";
// for "sm2-sm3", which signed-note assigns no byte, 0xFF followed by "medtrail-sm2-sm3" (the
// spec's advice for unassigned algorithms: generic tools ignore such lines, as they must).
uint32_t note_key_id(const CryptoSuite& suite, std::string_view key_name, ByteView public_key);

// The signed note: the text, a blank line, one signature line per signature, in order.
std::string checkpoint_note(const CryptoSuite& suite, const SignedCheckpoint& signed_checkpoint);

// Reads a signed note back into a checkpoint with the signatures of the signers `trust` pins
// (key name and key ID both match); the others are ignored, as signed-note requires. The
// signatures are not verified here: verify_checkpoint_quorum does that, and a signature of a
// pinned key that fails to verify fails the whole note there. Errors: `bad_note` (not a signed
// note, or a text that is not a medtrail checkpoint), `wrong_chain` (the origin names another
// chain than `chain_id`).
Result<SignedCheckpoint> checkpoint_from_note(const CryptoSuite& suite, std::string_view note,
                                              const Hash& chain_id, const CheckpointTrust& trust);

}  // namespace medtrail::ledger
