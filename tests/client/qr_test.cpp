// `medtrail qr`, run as a user would: the URL, the symbol on the terminal and in a PNG (both
// compared module by module with libqrencode's own matrix for that URL), and bad input.

#include <gtest/gtest.h>
#include <qrencode.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "client/cli_runner.h"
#include "client/png_reader.h"
#include "support/chain_fixture.h"

namespace medtrail {
namespace {

using testing::CliRun;
using testing::TempDir;

constexpr int kQuiet = 4;
const std::string kNode = "http://127.0.0.1:8101";
const std::string kGs1 = "(01)06903001000014(17)271231(10)QL2026A(21)000123";
const std::string kGs1Encoded = "%2801%2906903001000014%2817%29271231%2810%29QL2026A%2821%29000123";
const std::string kRxId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// libqrencode's matrix for `url`, as the CLI must have drawn it: dark[y][x].
std::vector<std::vector<bool>> expected_matrix(const std::string& url) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(url.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!code) return {};
  std::vector<std::vector<bool>> m(code->width, std::vector<bool>(code->width));
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) m[y][x] = (code->data[y * code->width + x] & 1) != 0;
  }
  return m;
}

// Module (x, y) of the symbol with its quiet zone.
bool dark_with_quiet_zone(const std::vector<std::vector<bool>>& m, int x, int y) {
  const int n = static_cast<int>(m.size());
  x -= kQuiet;
  y -= kQuiet;
  return x >= 0 && y >= 0 && x < n && y < n && m[y][x];
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// One text line of half blocks as (upper dark, lower dark) per character; `ok` false on any
// other character.
std::vector<std::pair<bool, bool>> half_blocks(const std::string& line, bool& ok) {
  std::vector<std::pair<bool, bool>> cells;
  for (size_t i = 0; i < line.size();) {
    if (line[i] == ' ') {
      cells.emplace_back(false, false);
      ++i;
    } else if (line.compare(i, 3, "█") == 0) {
      cells.emplace_back(true, true);
      i += 3;
    } else if (line.compare(i, 3, "▀") == 0) {
      cells.emplace_back(true, false);
      i += 3;
    } else if (line.compare(i, 3, "▄") == 0) {
      cells.emplace_back(false, true);
      i += 3;
    } else {
      ok = false;
      return cells;
    }
  }
  return cells;
}

class QrCliTest : public ::testing::Test {
 protected:
  QrCliTest() { std::filesystem::create_directory(out_dir()); }

  CliRun run(const std::string& args) { return testing::run_cli("qr " + args, dir_.path()); }
  std::string out_dir() const { return dir_.file("out"); }
  std::string png_path() const { return out_dir() + "/code.png"; }
  bool out_dir_empty() const { return std::filesystem::is_empty(out_dir()); }

  // The terminal symbol in `r.out` (after the URL line) against libqrencode's for `url`.
  void expect_terminal_symbol(const CliRun& r, const std::string& url) {
    const auto m = expected_matrix(url);
    ASSERT_FALSE(m.empty());
    const int side = static_cast<int>(m.size()) + 2 * kQuiet;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 1u + (side + 1) / 2) << r.out;
    EXPECT_EQ(lines[0], url);
    size_t wrong = 0;
    for (int row = 0; row < (side + 1) / 2; ++row) {
      bool ok = true;
      const auto cells = half_blocks(lines[1 + row], ok);
      ASSERT_TRUE(ok) << "not a half block in line " << row << ": " << lines[1 + row];
      ASSERT_EQ(static_cast<int>(cells.size()), side) << "line " << row;
      for (int x = 0; x < side; ++x) {
        if (cells[x].first != dark_with_quiet_zone(m, x, 2 * row)) ++wrong;
        if (cells[x].second != dark_with_quiet_zone(m, x, 2 * row + 1)) ++wrong;
      }
    }
    EXPECT_EQ(wrong, 0u) << r.out;
  }

  TempDir dir_;
};

TEST_F(QrCliTest, FirstLineIsTheUrlWithTheCodePercentEncoded) {
  CliRun r = run("--node " + kNode + " --vaccine '" + kGs1 + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out).at(0), kNode + "/trace/vaccine/" + kGs1Encoded);

  // Every byte outside the unreserved set, '/' and '%' included, is one %XX.
  r = run("--node " + kNode + " --vaccine 'a/b%c~d_e.f-g?h#i&j+k'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out).at(0), kNode + "/trace/vaccine/a%2Fb%25c~d_e.f-g%3Fh%23i%26j%2Bk");

  r = run("--node http://node.example.org:8080/ --tableware Batch-2026.11_a");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out).at(0), "http://node.example.org:8080/trace/tableware/Batch-2026.11_a");

  r = run("--node " + kNode + " --rx " + kRxId);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out).at(0), kNode + "/trace/rx/" + kRxId);

  // The node's scheme carries over, and a URL without a port has the scheme's own.
  r = run("--node https://trace.example.org --tableware B1");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out).at(0), "https://trace.example.org/trace/tableware/B1");
  r = run("--node http://[::1]:8101 --tableware B1");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out).at(0), "http://[::1]:8101/trace/tableware/B1");
}

TEST_F(QrCliTest, TerminalSymbolIsLibqrencodesMatrixWithItsQuietZone) {
  CliRun r = run("--node " + kNode + " --vaccine '" + kGs1 + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  expect_terminal_symbol(r, kNode + "/trace/vaccine/" + kGs1Encoded);

  r = run("--node " + kNode + " --tableware B1");
  ASSERT_EQ(r.code, 0) << r.err;
  expect_terminal_symbol(r, kNode + "/trace/tableware/B1");

  r = run("--node " + kNode + " --rx " + kRxId);
  ASSERT_EQ(r.code, 0) << r.err;
  expect_terminal_symbol(r, kNode + "/trace/rx/" + kRxId);
  EXPECT_EQ(r.err, "");
}

TEST_F(QrCliTest, PngHoldsTheSymbolWithItsQuietZoneAtTheScale) {
  const std::string url = kNode + "/trace/vaccine/" + kGs1Encoded;
  const auto m = expected_matrix(url);
  ASSERT_FALSE(m.empty());
  for (int scale : {1, 3, 8}) {
    SCOPED_TRACE(scale);
    std::filesystem::remove(png_path());
    const std::string scale_arg = scale == 8 ? "" : " --scale " + std::to_string(scale);  // 8: the default
    CliRun r = run("--node " + kNode + " --vaccine '" + kGs1 + "' --png " + png_path() + scale_arg);
    ASSERT_EQ(r.code, 0) << r.err;
    const int px = (static_cast<int>(m.size()) + 2 * kQuiet) * scale;
    EXPECT_EQ(r.out, url + "\nwrote " + png_path() + " (" + std::to_string(px) + "×" +
                         std::to_string(px) + " px)\n");

    testing::PngRead png = testing::read_png(testing::slurp(png_path()));
    ASSERT_EQ(png.error, "");
    for (const auto& chunk : png.chunks) EXPECT_TRUE(chunk.crc_ok) << chunk.type;
    EXPECT_TRUE(png.adler_ok);
    ASSERT_EQ(png.width, static_cast<uint32_t>(px));
    ASSERT_EQ(png.height, static_cast<uint32_t>(px));
    ASSERT_EQ(png.bit_depth, 1);
    ASSERT_EQ(png.color_type, 0);
    size_t wrong = 0;
    for (int y = 0; y < px; ++y) {
      for (int x = 0; x < px; ++x) {
        const int want = dark_with_quiet_zone(m, x / scale, y / scale) ? 0 : 1;
        if (png.sample(x, y) != want) ++wrong;
      }
    }
    EXPECT_EQ(wrong, 0u);
    // Only the file itself: the temporary name is gone.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(out_dir()),
                            std::filesystem::directory_iterator()),
              1);
  }
}

TEST_F(QrCliTest, HelpSaysTheRxIdIsACapability) {
  CliRun r = run("--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Usage"), std::string::npos);
  EXPECT_NE(r.out.find("256-bit capability"), std::string::npos) << r.out;
}

TEST_F(QrCliTest, BadInputIsAUsageErrorWithACodeAndWritesNothing) {
  const std::string png = " --png " + png_path();
  const std::string vaccine = " --vaccine V1";
  struct Case {
    std::string args;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"--node " + kNode + png, "need_one_code"},
      {"--node " + kNode + vaccine + " --tableware B1" + png, "need_one_code"},
      {"--node " + kNode + vaccine + " --rx " + kRxId + png, "need_one_code"},
      {"--node " + kNode + " --rx " + kRxId.substr(1) + png, "bad_code"},             // 63 hex
      {"--node " + kNode + " --rx " + kRxId + "0" + png, "bad_code"},                 // 65 hex
      {"--node " + kNode + " --rx " + std::string(64, 'A') + png, "bad_code"},       // uppercase
      {"--node " + kNode + " --rx " + std::string(63, 'a') + "g" + png, "bad_code"},  // not hex
      {"--node " + kNode + " --tableware a/b" + png, "bad_code"},
      {"--node " + kNode + " --tableware " + std::string(33, 'b') + png, "bad_code"},
      {"--node " + kNode + " --tableware ''" + png, "bad_code"},
      {"--node " + kNode + " --vaccine 'a b'" + png, "bad_code"},
      {"--node " + kNode + " --vaccine 'a\tb'" + png, "bad_code"},
      {"--node " + kNode + " --vaccine 'a\x01" "b'" + png, "bad_code"},
      {"--node " + kNode + " --vaccine 'a\x7f" "b'" + png, "bad_code"},
      {"--node " + kNode + " --vaccine 'caf\xc3\xa9'" + png, "bad_code"},
      {"--node " + kNode + " --vaccine " + std::string(129, 'v') + png, "bad_code"},
      {"--node " + kNode + " --vaccine ''" + png, "bad_code"},
      {"--node ftp://127.0.0.1:8101" + vaccine + png, "bad_url"},
      {"--node http://127.0.0.1:" + vaccine + png, "bad_url"},
      {"--node https://:443" + vaccine + png, "bad_url"},
      {"--node http://127.0.0.1:8101/v1" + vaccine + png, "bad_url"},
      {"--node 127.0.0.1:8101" + vaccine + png, "bad_url"},
      {"--node http://127.0.0.1:port" + vaccine + png, "bad_url"},
      {"--node http://127.0.0.1:65536" + vaccine + png, "bad_url"},
      {"--node 'http://user@host:80'" + vaccine + png, "bad_url"},
      {"--node 'http://a b:80'" + vaccine + png, "bad_url"},
      {"--node " + kNode + vaccine + png + " --scale 0", "bad_scale"},
      {"--node " + kNode + vaccine + png + " --scale 41", "bad_scale"},
      {"--node " + kNode + vaccine + " --scale 4", "bad_usage"},  // --scale without --png
  };
  for (const Case& c : cases) {
    CliRun r = run(c.args);
    EXPECT_EQ(r.code, 2) << c.args;
    EXPECT_NE(r.err.find("medtrail: qr: " + c.code + ": "), std::string::npos)
        << c.args << "\n" << r.err;
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_TRUE(out_dir_empty()) << c.args;
  }
  // The refusal does not echo a control byte back to the terminal.
  CliRun r = run("--node " + kNode + " --vaccine 'a\x1b[2Jb'");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
}

TEST_F(QrCliTest, AnExistingPngIsNeverReplaced) {
  std::ofstream(png_path()) << "mine";
  CliRun r = run("--node " + kNode + " --tableware B1 --png " + png_path());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("medtrail: qr: file_exists: "), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(testing::slurp(png_path()), "mine");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(out_dir()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(QrCliTest, AnUnwritablePngPathIsAUsageErrorAndLeavesNoTemporaryFile) {
  CliRun r = run("--node " + kNode + " --tableware B1 --png " + out_dir() + "/missing/code.png");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("medtrail: qr: io_error: "), std::string::npos) << r.err;
  EXPECT_TRUE(out_dir_empty());
}

}  // namespace
}  // namespace medtrail
