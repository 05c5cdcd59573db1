#pragma once
// Witness cosignatures of checkpoints (c2sp.org/tlog-cosignature, the Ed25519 "cosignature/v1"
// type): a witness outside the consortium states that, as of a time, the checkpoint is the
// largest consistent tree it has seen of the chain. A cosignature is a signed-note signature
// line
//
//   — <witness name> base64(key ID ‖ be64 timestamp ‖ Ed25519 signature)
//
// with key ID = SHA-256(<name> ‖ 0x0A ‖ 0x04 ‖ public key)[:4], over the message
//
//   "cosignature/v1\n" ‖ "time <timestamp>\n" ‖ <the checkpoint's note text>
//
// (the text with its final newline, no signature lines). Ed25519 whatever the chain's suite: a
// witness serves many logs, and generic witness tooling signs and checks only this type.
#include <cstdint>
#include <string>
#include <string_view>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

// The key ID of an Ed25519 cosigner `name` with a 32-byte `public_key`.
uint32_t cosigner_key_id(std::string_view name, ByteView public_key);

// The cosigner's verifier key as signed-note writes one ("<name>+<key ID, 8 hex>+<base64(0x04 ‖
// public key)>"): what a witness's operator hands to those who will require its cosignatures.
std::string cosigner_vkey(std::string_view name, ByteView public_key);

// The message a cosignature at `timestamp` (POSIX seconds) signs over `note_text`.
std::string cosigned_message(std::string_view note_text, uint64_t timestamp);

// The signature line, final newline included. `key` must be an Ed25519 key; `name` a key name:
// printable ASCII, without spaces or '+'. Errors: `bad_key`,
// `bad_name`, `bad_time` (a timestamp above 2^63 - 1).
Result<std::string> cosign(std::string_view name, const KeyPair& key, std::string_view note_text,
                           uint64_t timestamp);

// Verifies `line` (with or without its final newline) as a cosignature of `note_text` by the
// cosigner `name` with `public_key`; returns its timestamp. Errors: `not_this_cosigner` (another
// name or key ID: signed-note says to ignore such a line), `bad_cosignature` (a line of the
// form, by this cosigner, whose signature does not verify or does not read).
Result<uint64_t> verify_cosignature(std::string_view line, std::string_view name,
                                    ByteView public_key, std::string_view note_text);

}  // namespace medtrail::ledger
