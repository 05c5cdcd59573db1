// The citizen's page in headless Chromium: for every status word, the page a browser renders
// shows the word in Chinese and English, the facts and the vouching organisations; a screenshot
// per status at a phone's width is kept under the build's test-artifacts/trace/ for people to look
// at. Names from the chain are escaped: an organisation called "<script>…" stays text.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "api/trace_page.h"
#include "support/chain_fixture.h"

namespace medtrail::node::api {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int32_t kBeijing = 480;
constexpr int64_t kDay = 1796292600000;  // 2026-12-03T10:10:00Z

struct Case {
  TraceKind kind;
  std::string status;
  const char* zh;
  const char* en;
  std::string fact;  // a fact the page must show
};

TraceAnswer answer_for(const Case& c, const std::string& org_name) {
  TraceAnswer a;
  a.status = c.status;
  a.found = c.status != "UNKNOWN_CODE";
  json facts;
  switch (c.kind) {
    case TraceKind::kVaccine:
      facts = {{"product_name", "Hepatitis B Vaccine 10 ug"}, {"product_code", "06903001000014"},
               {"manufacturer", org_name}, {"lot", "QL2026A"}, {"expiry", "2027-12-31"},
               {"held_by", "Yanta Clinic"},
               {"lot_release", {{"decision", "released"}, {"by", "Shaanxi MPA"}, {"at_ms", kDay}, {"certificate_no", "SX-1"}}},
               {"cold_chain_legs", json::array({{{"from", org_name}, {"to", "Yanta Clinic"},
                                                 {"cold_chain", {{"compliant", true}, {"min_c", "2.5"}, {"max_c", "7.0"}}}}})}};
      if (c.status == "ALREADY_ADMINISTERED") facts["administered_on"] = "2026-12-03";
      if (c.status == "IN_USE") {
        facts["administered_on"] = "2026-12-03";
        facts["doses_per_code"] = 10;
        facts["doses_given"] = 4;
      }
      if (c.status == "DISPOSED") {
        facts["disposal"] = {{"at_ms", kDay}, {"by", "Yanta Clinic"}, {"witness", "Shaanxi MPA"}};
      }
      if (c.status == "RECALLED") facts["recall"] = {{"at_ms", kDay + 3600000}};
      if (c.status == "QUARANTINED") facts["quarantine"] = {{"at_ms", kDay + 7200000}};
      break;
    case TraceKind::kTableware:
      facts = {{"disinfection_unit", org_name}, {"licence_no", "XA-XD-2025-0193"}, {"method", "chemical"},
               {"disinfected_at_ms", kDay}, {"use_by_ms", kDay + 2 * 86400000},
               {"results", {{"sensory", "pass"}, {"free_residual_chlorine", "0.010"}, {"anionic_detergent", "not_detected"},
                            {"coliforms", "not_detected"}, {"salmonella", "not_detected"}}},
               {"failing", json::array()},
               {"inspections", json::array({{{"at_ms", kDay}, {"organisation", "Xi'an Health Inspection"}, {"action", "none"}}})}};
      break;
    case TraceKind::kRx:
      facts = {{"issued_by", org_name}, {"issued_on", "2026-12-03"}, {"valid_until", "2026-12-06"},
               {"dispensed", c.status == "DISPENSED" || c.status == "DELIVERED" || c.status == "PARTLY_DISPENSED"},
               {"dispenses", json::array()}};
      break;
  }
  a.body = {{"code", "86901234560000000001"},
            {"facts", a.found ? facts : json::object()},
            {"timeline", a.found ? json::array({{{"at_ms", kDay}, {"event", "vaccine.administer"},
                                                 {"organisation", "Yanta Clinic"}, {"accepted", false},
                                                 {"reason_code", "code_reused"}}})
                                 : json::array()},
            {"timeline_truncated", false}};
  return a;
}

// Runs Chromium headless on `args`; returns what it printed (stdout).
std::string chromium(const std::string& args, const fs::path& scratch) {
  const fs::path out = scratch / "chromium.out";
  const std::string cmd = std::string(MEDTRAIL_CHROMIUM) +
                          " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                          " --disable-background-networking --disable-component-update --disable-sync"
                          " --hide-scrollbars --user-data-dir=" + (scratch / "profile").string() + " " + args +
                          " >" + out.string() + " 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(out);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(TracePageTest, EveryStatusRendersInChromiumWithItsWordsAndAScreenshot) {
  medtrail::testing::TempDir dir;
  const fs::path artifacts = fs::path(MEDTRAIL_ARTIFACT_DIR) / "trace";
  fs::create_directories(artifacts);
  const std::vector<Case> cases = {
      {TraceKind::kVaccine, "GENUINE", "正品", "GENUINE", "QL2026A"},
      {TraceKind::kVaccine, "ALREADY_ADMINISTERED", "已接种", "ALREADY ADMINISTERED", "2026-12-03"},
      {TraceKind::kVaccine, "DISPOSED", "已销毁", "DISPOSED", "witnessed by Shaanxi MPA"},
      {TraceKind::kVaccine, "IN_USE", "使用中", "IN USE", "4 / 10 剂已接种 doses given"},
      {TraceKind::kVaccine, "RECALLED", "已召回", "RECALLED", "2026-12-03 19:10"},
      {TraceKind::kVaccine, "EXPIRED", "已过期", "EXPIRED", "2027-12-31"},
      {TraceKind::kVaccine, "QUARANTINED", "已隔离", "QUARANTINED", "2026-12-03 20:10"},
      {TraceKind::kVaccine, "HELD", "暂停使用", "HELD", "QL2026A"},
      {TraceKind::kVaccine, "UNKNOWN_CODE", "未知编码", "UNKNOWN CODE", "86901234560000000001"},
      {TraceKind::kTableware, "GENUINE", "正品", "GENUINE", "XA-XD-2025-0193"},
      {TraceKind::kTableware, "HELD", "暂停使用", "HELD", "0.010"},
      {TraceKind::kRx, "VALID", "有效", "VALID", "2026-12-06"},
      {TraceKind::kRx, "DISPENSED", "已调配", "DISPENSED", "2026-12-03"},
      {TraceKind::kRx, "CANCELLED", "已作废", "CANCELLED", "2026-12-06"},
      {TraceKind::kRx, "PARTLY_DISPENSED", "部分调配", "PARTLY DISPENSED", "2026-12-06"},
      {TraceKind::kRx, "DELIVERED", "已交付", "DELIVERED", "2026-12-06"},
      {TraceKind::kRx, "REJECTED", "审核未通过", "REJECTED", "2026-12-06"},
      {TraceKind::kRx, "EXPIRED", "已过期", "EXPIRED", "2026-12-06"},
      {TraceKind::kTableware, "RECALLED", "已召回", "RECALLED", "XA-XD-2025-0193"},
  };
  const std::string hostile_name = "Qinling <script>alert(1)</script> Bio";
  for (const Case& c : cases) {
    const std::string name = std::string(trace_kind_name(c.kind)) + "-" + c.status;
    SCOPED_TRACE(name);
    const fs::path page = dir.path() / (name + ".html");
    std::ofstream(page) << render_trace_page(c.kind, answer_for(c, hostile_name), TraceVouch{42, 2, 3}, kBeijing);
    const std::string dom = chromium("--dump-dom file://" + page.string(), dir.path());
    EXPECT_NE(dom.find("data-status=\"" + c.status + "\""), std::string::npos) << dom.substr(0, 400);
    EXPECT_NE(dom.find(c.zh), std::string::npos);
    EXPECT_NE(dom.find(c.en), std::string::npos);
    EXPECT_NE(dom.find(c.fact), std::string::npos);
    if (c.status != "UNKNOWN_CODE") {
      EXPECT_NE(dom.find("verified by 2 of 3 organisations"), std::string::npos);
      EXPECT_EQ(dom.find("<script>"), std::string::npos) << "a name from the chain became markup";
    }
    const fs::path shot = artifacts / (name + ".png");
    fs::remove(shot);
    chromium("--window-size=412,1400 --screenshot=" + shot.string() + " file://" + page.string(), dir.path());
    ASSERT_TRUE(fs::exists(shot));
    EXPECT_GT(fs::file_size(shot), 10000u);  // a rendered page, not an empty canvas
  }
}

TEST(TracePageTest, EscapesEveryCharacterThatCouldBecomeMarkup) {
  EXPECT_EQ(html_escape("<a href=\"x\">O'Neil & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;");
}

}  // namespace
}  // namespace medtrail::node::api
