// `medtrail qr`: the public lookup URL of a vaccine code, tableware batch or prescription as a
// QR code for citizens to scan — drawn on the terminal, or written as a PNG for print.
// It only builds the URL; the node serves the page behind it (/trace/<kind>/<code>).
#include <sys/stat.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "io.h"
#include "node_url.h"
#include "png_writer.h"
#include "qr_symbol.h"
#include "qr_terminal.h"
#include "medtrail/ledger/sealed_fields.h"
#include "slip_key.h"
#include "trace_url.h"

namespace medtrail::cli {
namespace {

struct QrOptions {
  std::string node;
  std::string vaccine;
  std::string tableware;
  std::string rx;
  std::string png;
  std::string slip_key;
  int scale = 8;
};

constexpr int kMinScale = 1;
constexpr int kMaxScale = 40;

// Which code was given, and that only one was.
ledger::Result<std::pair<TraceKind, std::string>> chosen_code(const QrOptions& o,
                                                              const CLI::Option* vaccine,
                                                              const CLI::Option* tableware,
                                                              const CLI::Option* rx) {
  const size_t given = vaccine->count() + tableware->count() + rx->count();
  if (given != 1) {
    return ledger::Status::error("need_one_code",
                                 "give exactly one of --vaccine, --tableware, --rx");
  }
  if (vaccine->count() > 0) return std::pair{TraceKind::kVaccine, o.vaccine};
  if (tableware->count() > 0) return std::pair{TraceKind::kTableware, o.tableware};
  return std::pair{TraceKind::kRx, o.rx};
}

BilevelImage with_quiet_zone(const QrSymbol& symbol) {
  BilevelImage image;
  image.width = image.height = static_cast<uint32_t>(symbol.side_with_quiet_zone());
  image.dark.resize(static_cast<size_t>(image.width) * image.height);
  for (uint32_t y = 0; y < image.height; ++y) {
    for (uint32_t x = 0; x < image.width; ++x) {
      image.dark[static_cast<size_t>(y) * image.width + x] =
          symbol.dark_at(static_cast<int>(x), static_cast<int>(y)) ? 1 : 0;
    }
  }
  return image;
}

int run_qr(const QrOptions& o, const CLI::Option* vaccine, const CLI::Option* tableware,
           const CLI::Option* rx, const CLI::Option* scale) {
  auto code = chosen_code(o, vaccine, tableware, rx);
  if (!code.ok()) return fail("qr", code.status(), kExitUsage);
  auto node = parse_node_url(o.node);
  if (!node.ok()) return fail("qr", node.status(), kExitUsage);
  auto url = public_trace_url(*node, code->first, code->second);
  if (!url.ok()) return fail("qr", url.status(), kExitUsage);
  if (!o.slip_key.empty()) {
    if (code->first != TraceKind::kRx) {
      return fail("qr", ledger::Status::error("bad_usage", "--slip-key goes with --rx only"), kExitUsage);
    }
    auto key = read_slip_key(o.slip_key);
    if (!key.ok()) return fail("qr", key.status(), kExitUsage);
    // In the fragment: a browser never sends it to the node, so the page's server never sees it.
    *url += std::string(kSlipKeyFragment) + ledger::slip_key_to_text(key->view());
  }
  if (o.scale < kMinScale || o.scale > kMaxScale) {
    return fail("qr", ledger::Status::error("bad_scale", "--scale must be 1..40 pixels a module"),
                kExitUsage);
  }
  if (scale->count() > 0 && o.png.empty()) {
    return fail("qr", ledger::Status::error("bad_usage", "--scale needs --png"), kExitUsage);
  }
  // Refuse an existing file before any work; the write itself refuses one that appears later.
  struct stat st;
  if (!o.png.empty() && ::lstat(o.png.c_str(), &st) == 0) {
    return fail("qr", ledger::Status::error("file_exists", o.png + " exists; not replaced"), kExitUsage);
  }

  auto symbol = encode_qr_symbol(*url);
  if (!symbol.ok()) return fail("qr", symbol.status(), kExitUsage);

  if (o.png.empty()) {
    std::cout << *url << "\n" << render_half_blocks(*symbol) << std::flush;
    return 0;
  }
  auto png = encode_bilevel_png(with_quiet_zone(*symbol), static_cast<uint32_t>(o.scale));
  if (!png.ok()) return fail("qr", png.status(), kExitUsage);
  if (ledger::Status s = write_new_file_atomically(o.png, *png); !s.ok()) {
    return fail("qr", s, kExitUsage);
  }
  const int px = symbol->side_with_quiet_zone() * o.scale;
  std::cout << *url << "\n"
            << "wrote " << o.png << " (" << px << "×" << px << " px)\n";
  return 0;
}

}  // namespace

void add_qr(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "qr",
      "Print the public lookup URL of a code as a QR code for citizens to scan: "
      "<node>/trace/vaccine/<code>, /trace/tableware/<batch> or /trace/rx/<rx id> (the code "
      "percent-encoded). Drawn with half blocks on the terminal, ink = dark module with a "
      "4-module quiet zone (scan it on a light background, or use --png); error correction M");
  auto o = std::make_shared<QrOptions>();
  cmd->add_option("--node", o->node, "The node serving the page, http://HOST:PORT")->required();
  auto* vaccine = cmd->add_option(
      "--vaccine", o->vaccine,
      "A vaccine code (1..128 printable ASCII, no spaces), e.g. a GS1 element string "
      "\"(01)06903001000014(17)271231(10)QL2026A(21)000123\"");
  auto* tableware = cmd->add_option("--tableware", o->tableware,
                                    "A tableware batch (1..32 of [A-Za-z0-9._-])");
  auto* rx = cmd->add_option(
      "--rx", o->rx,
      "A prescription's rx id (64 lowercase hex). It is a 256-bit capability: whoever holds the "
      "URL (or a photo of the code) can see the prescription's public status, so hand it to "
      "the patient only");
  cmd->add_option("--slip-key", o->slip_key,
                  "With --rx: a file holding the prescription's slip key (medtrail seal --slip-key-out); it goes in "
                  "the URL's fragment, so whoever the patient shows the code to can read the sealed fields");
  cmd->add_option("--png", o->png,
                  "Write a PNG (1-bit grayscale) to this new file instead of drawing on the "
                  "terminal; an existing file is never replaced");
  auto* scale = cmd->add_option("--scale", o->scale, "With --png: pixels per module, 1..40")
                    ->capture_default_str();
  cmd->callback([&exit_code, o, vaccine, tableware, rx, scale] {
    exit_code = run_qr(*o, vaccine, tableware, rx, scale);
  });
}

}  // namespace medtrail::cli
