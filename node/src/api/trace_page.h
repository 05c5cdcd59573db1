#pragma once
// The citizen's page for one code: the lookup's answer rendered on the server as one HTML
// document — mobile first, no script, no external asset (a phone on a weak network, a browser
// with JavaScript off, a strict content policy all see the same page), in Chinese and English.
#include <cstdint>
#include <string>

#include "api/trace_lookup.h"

namespace medtrail::node::api {

// Who vouches for the answer: the newest checkpoint a quorum of organisations signed.
struct TraceVouch {
  uint64_t checkpoint_height = 0;  // 0: none yet
  size_t organisations = 0;        // distinct organisations that signed it
  size_t of = 0;                   // organisations that run nodes
};

std::string render_trace_page(TraceKind kind, const TraceAnswer& answer, const TraceVouch& vouch,
                              int32_t utc_offset_minutes);
// The page for a code that is not of the kind's form.
std::string render_bad_code_page(TraceKind kind);

// `text` with &, <, >, " and ' escaped: every dynamic string on the page goes through it.
std::string html_escape(std::string_view text);

}  // namespace medtrail::node::api
