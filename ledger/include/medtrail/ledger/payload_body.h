#pragma once
// A payload's members as the signer wrote them: the bytes of a value, to be passed on (an audit
// page's rows) without a strict parse of the whole payload into a tree and printing the tree
// again, which is most of what such a page costs. For payloads already known to parse: the
// leaf of an accepted record (a record is only ever accepted after parse_payload took it).
#include <optional>
#include <string_view>

namespace medtrail::ledger {

// The text of the top-level "body" value of `payload`, for a payload that parse_payload accepted
// (strict JSON: an object, no duplicate keys, valid UTF-8). nullopt when there is no body or the
// text is not what this reader expects — a key written with escapes, anything malformed: the
// caller then parses the payload instead. Never reads past `payload`; no recursion.
std::optional<std::string_view> payload_body_text(std::string_view payload);

// The same for any top-level member `key` (written without escapes).
std::optional<std::string_view> payload_member_text(std::string_view payload, std::string_view key);

// The value of top-level member `key` when it is a string written without escapes (kinds,
// organisation and identity ids always are); nullopt otherwise.
std::optional<std::string_view> payload_plain_string(std::string_view payload, std::string_view key);

}  // namespace medtrail::ledger
