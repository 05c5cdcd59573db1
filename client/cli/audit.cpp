// `medtrail audit trail SUBJECT`: every record about a subject (rx/<id>, rx-reads/<id>,
// patient/<ref>, org/<org>, identity/<org>/<user>, vlot/<gtin>/<lot>, vcode/<code>, vship/<id>,
// tw/<batch>, access/<org>, actor/<org>/<name>, gov/<id>, claim/<id>, visit/<id>) in chain order,
// refused attempts included; `medtrail audit search`: records across the whole chain by kind,
// result, organisation, actor and time. Both follow the node's pages to the end; each page is a
// signed read, recorded on the chain.
#include <algorithm>
#include <charconv>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.h"
#include "io.h"
#include "signed_reader.h"
#include "trail_proofs.h"

namespace medtrail::cli {

namespace {

using nlohmann::json;

struct AuditOptions {
  std::string subject;  // trails only
  std::string kind, result, org, actor, from, to;
  bool csv = false;
  bool verify = false;
  int limit = 1000;
};

// Percent-encodes a query value (RFC 3986 unreserved stay).
std::string encode(const std::string& value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The query string of a page: the filters, the format, and the cursor.
std::string query(const AuditOptions& o, const std::string& after) {
  std::string t = "limit=" + std::to_string(o.limit);
  if (!o.kind.empty()) t += "&kind=" + encode(o.kind);
  if (!o.result.empty()) t += "&result=" + encode(o.result);
  if (!o.org.empty()) t += "&org=" + encode(o.org);
  if (!o.actor.empty()) t += "&actor=" + encode(o.actor);
  if (!o.from.empty()) t += "&from=" + encode(o.from);
  if (!o.to.empty()) t += "&to=" + encode(o.to);
  if (o.csv) t += "&format=csv";
  if (o.verify) t += "&proofs=1";
  if (!after.empty()) t += "&after=" + after;
  return t;
}

// Follows every page of `target(after)` as `r`'s reader, printing the rows (or the CSV) and, with
// --verify, checking each page's proofs; the exit code.
int walk_pages(const std::string& name, const ReaderOptions& r, const AuditOptions& o,
               const std::function<std::string(const std::string& after)>& target) {
  auto reader = SignedReader::open(r);
  if (!reader.ok()) return fail(name, reader.status(), kExitUsage);
  if (o.verify && o.csv) {
    return fail(name, ledger::Status::error("bad_usage", "--verify checks JSON pages; drop --csv"),
                kExitUsage);
  }
  // A whole trail (no filter) is also checked complete: no record about the subject left out.
  const bool whole_trail = o.verify && !o.subject.empty() && o.kind.empty() && o.result.empty() &&
                           o.from.empty() && o.to.empty();
  TrailCompleteness completeness(o.subject, reader->genesis());
  std::string after;
  uint64_t last_cursor = 0;
  std::optional<uint64_t> walk_started;  // the leaf of the first page's own read
  size_t rows = 0, pages = 0, proven = 0, unproven = 0;
  uint64_t checkpoint_height = 0;
  for (;;) {
    auto reply = reader->get(target(after), 64 << 20);
    if (!reply.ok()) return fail(name, reply.status(), kExitUsage);
    ++pages;
    if (reply->status != 200) {
      std::cerr << "medtrail: " << name << ": " << refusal_line(*reply) << "\n";
      if (!reply->header("medtrail-receipt").empty()) {
        std::cerr << "  the refusal is on the chain: record " << reply->header("medtrail-receipt")
                  << "\n";
      }
      return reply->status == 400 ? kExitUsage : kExitInvalid;
    }
    std::string next;
    if (o.csv) {
      std::string_view body = reply->body;
      // Every page starts with the header line; print it once.
      if (pages > 1 && body.find('\n') != std::string_view::npos)
        body.remove_prefix(body.find('\n') + 1);
      std::cout << body;
      next = reply->header("medtrail-next-cursor");
    } else {
      json page = json::parse(reply->body, nullptr, false);
      if (!page.is_object()) {
        return fail(name, ledger::Status::error("bad_answer", "the node's answer is not JSON"),
                    kExitUsage);
      }
      if (o.verify) {
        TrailPageCheck check = check_trail_page(page, reader->genesis());
        if (!check.problem.empty()) {
          std::cerr << "medtrail: " << name << ": VERIFICATION FAILED: " << check.problem << "\n";
          return kExitInvalid;
        }
        if (whole_trail) {
          if (std::string why = completeness.add_page(page); !why.empty()) {
            std::cerr << "medtrail: " << name << ": VERIFICATION FAILED: " << why << "\n";
            return kExitInvalid;
          }
        }
        proven += check.proven;
        unproven += check.unproven;
        checkpoint_height = std::max(checkpoint_height, check.checkpoint_height);
      }
      for (const json& row : page.value("rows", json::array())) {
        ++rows;
        std::cout << row.value("leaf_index", uint64_t{0}) << "  " << row.value("kind", "") << "  "
                  << row.value("actor", "") << "  "
                  << (row.value("accepted", false) ? "accepted"
                                                   : "REJECTED " + row.value("reason_code", ""))
                  << "  " << row.value("record_id", "")
                  << (o.verify && row.value("proof", json()).is_null()
                          ? "  (newer than the checkpoint: unproven)"
                          : "")
                  << "\n";
      }
      if (page["next"].is_string()) next = page["next"].get<std::string>();
      if (!walk_started && page.contains("receipt") && page["receipt"].is_object()) {
        walk_started = page["receipt"].value("leaf_index", uint64_t{0});
      }
    }
    if (next.empty()) break;
    // A cursor only moves forward (a node that repeats one would walk us in circles), and the
    // walk ends where its own reads begin: the trail as it stood when the walk started.
    uint64_t cursor = 0;
    auto [end, ec] = std::from_chars(next.data(), next.data() + next.size(), cursor);
    if (ec != std::errc() || end != next.data() + next.size() ||
        (pages > 1 && cursor <= last_cursor)) {
      return fail(
          name, ledger::Status::error("bad_answer", "the node's next cursor does not move forward"),
          kExitInvalid);
    }
    // A whole trail is read on until a page shows its end at that page's checkpoint: each page
    // takes at least 10 rows and its read adds at most one, so the walk still ends.
    const bool completeness_pending = whole_trail && !completeness.complete_at();
    if (walk_started && cursor + 1 >= *walk_started && !completeness_pending) break;
    last_cursor = cursor;
    after = next;
  }
  if (!o.csv)
    std::cerr << rows << " records in " << pages
              << " pages (each page a read recorded on the chain)\n";
  if (o.verify) {
    std::cerr << proven << " verified against the checkpoint at block " << checkpoint_height
              << " signed by a quorum of your genesis' organisations";
    if (unproven > 0)
      std::cerr << "; " << unproven << " newer than their page's checkpoint, not proven";
    std::cerr << "\n";
    // And the history those checkpoints belong to extends the one this client verified before.
    if (!report_chain(reader->verify_chain(), std::cerr)) return kExitInvalid;
    if (whole_trail && completeness.complete_at()) {
      std::cerr << "complete: the chain holds " << completeness.records() << " records about "
                << o.subject << " up to block " << *completeness.complete_at()
                << ", and every one is listed (proven by the "
                << "subject's trail head)";
      if (completeness.unproven_listed() > 0) {
        std::cerr << "; " << completeness.unproven_listed()
                  << " of their rows were listed before a checkpoint "
                  << "covered them, so what they say is the node's word";
      }
      std::cerr << "\n";
    } else if (whole_trail) {
      std::cerr << "medtrail: " << name << ": NOT proven complete: "
                << (completeness.unavailable().empty()
                        ? "no page showed the end of the trail at its checkpoint"
                        : completeness.unavailable())
                << "\n";
      return kExitInvalid;
    } else if (!o.subject.empty()) {
      std::cerr << "(a filtered listing: completeness is proven only for a whole trail)\n";
    }
  }
  return 0;
}

// The options both commands share: filters, format, proofs, page size, and the reader.
void add_walk_options(CLI::App* cmd, AuditOptions& o, ReaderOptions& r) {
  cmd->add_option("--kind", o.kind, "Only records of this kind, e.g. rx.dispense");
  cmd->add_option("--result", o.result, "Only accepted or rejected records")
      ->check(CLI::IsMember({"accepted", "rejected"}));
  cmd->add_option("--from", o.from, "From this time on (RFC 3339)");
  cmd->add_option("--to", o.to, "Before this time (RFC 3339)");
  cmd->add_flag("--csv", o.csv, "CSV for spreadsheets (one header line, then every row)");
  cmd->add_flag(
      "--verify", o.verify,
      "Check every row against its leaf and the leaf against the newest checkpoint a quorum of "
      "your "
      "genesis' organisations signed, and a whole trail (no filter) for a record left out; exit 1 "
      "on any mismatch");
  // At least 10: a page of one's own trail adds one record (the read itself), so a page must take
  // more than it adds for the walk to end.
  cmd->add_option("--page", o.limit, "Rows per page")
      ->check(CLI::Range(10, 1000))
      ->capture_default_str();
  add_reader_options(cmd, r, "audit");
}

}  // namespace

void add_audit(CLI::App& app, int& exit_code) {
  auto* audit = app.add_subcommand("audit", "Audit queries as a member reads them");
  audit->require_subcommand(1);

  auto* trail = audit->add_subcommand(
      "trail",
      "Every record about one subject in chain order, refused attempts included, all pages; each "
      "page is a signed read recorded on the chain");
  auto tr = std::make_shared<ReaderOptions>();
  auto to = std::make_shared<AuditOptions>();
  trail
      ->add_option("subject", to->subject,
                   "e.g. rx/<id>, patient/<ref>, org/<org>, actor/<org>/<name>")
      ->required();
  add_walk_options(trail, *to, *tr);
  trail->callback([&exit_code, tr, to] {
    exit_code = walk_pages("audit trail", *tr, *to, [to](const std::string& after) {
      return "/v1/audit/trails/" + to->subject + "?" + query(*to, after);
    });
  });

  auto* search = audit->add_subcommand(
      "search",
      "Records across the whole chain by kind, result, organisation, actor and time, in chain "
      "order, "
      "all pages; each page is a signed read recorded on the chain (a regulator's inspectors and "
      "auditors; an organisation's auditor with --org of its own)");
  auto sr = std::make_shared<ReaderOptions>();
  auto so = std::make_shared<AuditOptions>();
  search->add_option("--org", so->org, "Only records of this organisation");
  search->add_option("--actor", so->actor, "Only records signed by this person, <org>/<name>");
  add_walk_options(search, *so, *sr);
  search->callback([&exit_code, sr, so] {
    exit_code = walk_pages("audit search", *sr, *so, [so](const std::string& after) {
      return "/v1/audit/search?" + query(*so, after);
    });
  });
}

}  // namespace medtrail::cli
