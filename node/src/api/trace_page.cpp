#include "api/trace_page.h"

#include <cstdio>
#include <map>
#include <string_view>

#include "medtrail/contracts/calendar.h"

namespace medtrail::node::api {

namespace {

using nlohmann::json;

struct Words {
  const char* zh;
  const char* en;
  const char* tone;  // ok, warn, bad
  const char* explain_zh;
  const char* explain_en;
};

const Words& words_of(const std::string& status) {
  static const std::map<std::string, Words> words = {
      {"GENUINE", {"正品", "GENUINE", "ok", "该编码已在链上登记，状态正常。", "This code is registered on the chain and in good standing."}},
      {"ALREADY_ADMINISTERED",
       {"已接种", "ALREADY ADMINISTERED", "bad", "这一剂次已经接种过。若您手中的包装显示此码，可能是被复制的编码。",
        "This dose was given already. A package showing this code now may carry a copied code."}},
      {"RECALLED", {"已召回", "RECALLED", "bad", "该批次已被召回，请勿使用。", "This lot or batch has been recalled. Do not use it."}},
      {"EXPIRED", {"已过期", "EXPIRED", "bad", "已超过有效期。", "It is past its expiry or use-by time."}},
      {"IN_USE", {"使用中", "IN USE", "ok", "这是一支已开启的多人份疫苗，正在接种点使用，每一剂都记录在链上。",
                  "An opened multi-dose vial in use at its vaccination site; every dose given from it is on the chain."}},
      {"DISPOSED", {"已销毁", "DISPOSED", "bad", "该剂次已在监督下销毁。若您手中的包装显示此码，可能是被复制的编码。",
                    "This dose was destroyed under supervision. A package showing this code now may carry a copied code."}},
      {"QUARANTINED", {"已隔离", "QUARANTINED", "bad", "该剂次已被隔离停用。", "This dose has been quarantined and must not be used."}},
      {"HELD", {"暂停使用", "HELD", "warn", "尚未放行或已被暂扣，请勿使用。", "Not released, or held by an inspector. Do not use it."}},
      {"UNKNOWN_CODE", {"未知编码", "UNKNOWN CODE", "bad", "链上没有这个编码。请核对，或向监管部门举报。",
                        "The chain does not know this code. Check it, or report it to the regulator."}},
      {"VALID", {"有效", "VALID", "ok", "处方有效，尚未调配。", "The prescription is valid and not yet dispensed."}},
      {"PARTLY_DISPENSED", {"部分调配", "PARTLY DISPENSED", "warn", "处方已部分调配。", "Part of the prescription has been dispensed."}},
      {"DISPENSED", {"已调配", "DISPENSED", "ok", "处方已全部调配。", "The prescription has been dispensed in full."}},
      {"DELIVERED", {"已交付", "DELIVERED", "ok", "药品已交付。", "The medicines have been handed over."}},
      {"CANCELLED", {"已作废", "CANCELLED", "bad", "处方已被作废。", "The prescription was cancelled."}},
      {"REJECTED", {"审核未通过", "REJECTED", "bad", "药师审核未通过。", "A pharmacist's review rejected it."}},
  };
  static const Words unknown{"未知", "UNKNOWN", "bad", "", ""};
  auto it = words.find(status);
  return it == words.end() ? unknown : it->second;
}

const char* event_label(const std::string& kind) {
  static const std::map<std::string, const char*> labels = {
      {"vaccine.lot.register", "批次登记 · Lot registered"},
      {"vaccine.lot.release", "批签发 · Lot release decision"},
      {"vaccine.codes.add", "赋码 · Dose codes issued"},
      {"vaccine.ship", "发货 · Shipped"},
      {"vaccine.receive", "收货 · Received"},
      {"vaccine.administer", "接种 · Administered"},
      {"vaccine.quarantine", "隔离 · Quarantined"},
      {"vaccine.recall", "召回 · Recalled"},
      {"vaccine.storage", "储存温度记录 · Storage temperatures recorded"},
      {"vaccine.dispose", "销毁 · Destroyed"},
      {"tableware.batch", "消毒检测 · Disinfected and tested"},
      {"tableware.ship", "配送 · Shipped"},
      {"tableware.inspect", "抽检 · Inspected"},
      {"tableware.recall", "召回 · Recalled"},
      {"rx.issue", "开具 · Issued"},
      {"rx.review", "审核 · Reviewed"},
      {"rx.dispense", "调配 · Dispensed"},
      {"rx.deliver", "交付 · Handed over"},
      {"rx.receipt", "签收 · Received"},
      {"rx.cancel", "作废 · Cancelled"},
      {"rx.evaluate", "处方点评 · Prescription evaluated"},
  };
  auto it = labels.find(kind);
  return it == labels.end() ? nullptr : it->second;
}

const char* kind_title(TraceKind kind) {
  switch (kind) {
    case TraceKind::kVaccine:
      return "疫苗追溯 · Vaccine dose";
    case TraceKind::kTableware:
      return "餐具消毒追溯 · Disinfected tableware";
    case TraceKind::kRx:
      return "电子处方 · Prescription";
  }
  return "";
}

std::string local_time(int64_t ms, int32_t offset_minutes) {
  if (ms <= 0) return "";
  const int64_t day = contracts::day_of(ms, offset_minutes);
  const int64_t in_day = (ms - contracts::day_start_ms(day, offset_minutes)) / 1000;
  char hm[8];
  std::snprintf(hm, sizeof hm, "%02d:%02d", static_cast<int>(in_day / 3600 % 24), static_cast<int>(in_day / 60 % 60));
  return contracts::format_date(day) + " " + hm;
}

// Enumerated values from the contracts, in words people read.
std::string in_words(const std::string& value) {
  static const std::map<std::string, std::string> words = {
      {"pass", "合格 pass"},           {"fail", "不合格 FAIL"},          {"not_detected", "未检出 not detected"},
      {"detected", "检出 DETECTED"},   {"none", "无异常 no finding"},   {"hold", "暂扣 held"},
      {"recall", "召回 recalled"},     {"released", "已放行 released"}, {"denied", "不予放行 denied"},
      {"approved", "通过 approved"},   {"rejected", "未通过 rejected"}, {"pickup", "自取 picked up"},
      {"courier", "配送 by courier"},  {"chemical", "化学消毒 chemical"}, {"physical", "物理消毒 physical"}};
  auto it = words.find(value);
  return it == words.end() ? value : it->second;
}

std::string str(const json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_boolean()) return it->get<bool>() ? "yes" : "no";
  if (it->is_number()) return it->dump();
  return "";
}

int64_t ms(const json& j, const char* field) {
  auto it = j.find(field);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

class Page {
 public:
  explicit Page(int32_t offset) : offset_(offset) {}
  void row(const char* label, const std::string& value) {
    if (value.empty()) return;
    html_ += "<dt>" + std::string(label) + "</dt><dd>" + html_escape(value) + "</dd>\n";
  }
  void time_row(const char* label, int64_t at) { row(label, local_time(at, offset_)); }
  std::string& html() { return html_; }
  int32_t offset() const { return offset_; }

 private:
  int32_t offset_;
  std::string html_;
};

void vaccine_facts(Page& p, const json& f) {
  p.row("疫苗 · Vaccine", str(f, "product_name"));
  p.row("产品编码 · Product code", str(f, "product_code"));
  p.row("生产企业 · Manufacturer", str(f, "manufacturer"));
  p.row("批号 · Lot", str(f, "lot"));
  p.row("有效期至 · Expiry", str(f, "expiry"));
  if (auto r = f.find("lot_release"); r != f.end()) {
    p.row("批签发 · Lot release", in_words(str(*r, "decision")) + " — " + str(*r, "by") + " " + local_time(ms(*r, "at_ms"), p.offset()) +
                                      (str(*r, "certificate_no").empty() ? "" : " (" + str(*r, "certificate_no") + ")"));
  }
  p.row("当前持有 · Held by", str(f, "held_by"));
  p.row("接种日期 · Administered on", str(f, "administered_on"));
  if (auto per_code = f.find("doses_per_code"); per_code != f.end() && per_code->is_number_integer()) {
    p.row("多人份 · Multi-dose vial", std::to_string(f.value("doses_given", 0)) + " / " +
                                         std::to_string(per_code->get<int64_t>()) + " 剂已接种 doses given");
  }
  if (auto q = f.find("quarantine"); q != f.end()) {
    p.row("隔离 · Quarantined", local_time(ms(*q, "at_ms"), p.offset()));
  }
  if (auto r = f.find("recall"); r != f.end()) {
    p.row("召回 · Recalled", local_time(ms(*r, "at_ms"), p.offset()));
  }
  if (auto d = f.find("disposal"); d != f.end()) {
    p.row("销毁 · Destroyed", local_time(ms(*d, "at_ms"), p.offset()) + " — " + str(*d, "by") + "，监督 witnessed by " +
                                  str(*d, "witness"));
  }
  for (const json& leg : f.value("cold_chain_legs", json::array())) {
    std::string line = str(leg, "from") + " → " + str(leg, "to");
    if (auto cc = leg.find("cold_chain"); cc != leg.end()) {
      line += cc->value("compliant", false) ? "：合规 compliant" : "：不合规 NOT compliant";
      line += " (" + str(*cc, "min_c") + "–" + str(*cc, "max_c") + " °C)";
    }
    p.row("冷链 · Cold chain", line);
  }
}

void tableware_facts(Page& p, const json& f) {
  p.row("消毒单位 · Disinfection unit", str(f, "disinfection_unit"));
  p.row("许可证号 · Licence", str(f, "licence_no"));
  p.row("消毒方式 · Method", in_words(str(f, "method")));
  p.time_row("消毒时间 · Disinfected at", ms(f, "disinfected_at_ms"));
  p.time_row("使用期限 · Use by", ms(f, "use_by_ms"));
  if (auto r = f.find("results"); r != f.end() && r->is_object()) {
    static const std::pair<const char*, const char*> items[] = {
        {"sensory", "感官 · Sensory"},
        {"free_residual_chlorine", "游离性余氯 · Free residual chlorine (mg/100 cm²)"},
        {"anionic_detergent", "阴离子合成洗涤剂 · Anionic detergent"},
        {"coliforms", "大肠菌群 · Coliforms (/50 cm²)"},
        {"salmonella", "沙门氏菌 · Salmonella (/50 cm²)"}};
    for (const auto& [field, label] : items) p.row(label, in_words(str(*r, field)));
  }
  std::string failing;
  for (const json& item : f.value("failing", json::array())) {
    if (item.is_string()) failing += (failing.empty() ? "" : ", ") + item.get<std::string>();
  }
  p.row("不合格项 · Failing (GB 14934)", failing);
  for (const json& i : f.value("inspections", json::array())) {
    p.row("抽检 · Inspection", local_time(ms(i, "at_ms"), p.offset()) + " " + str(i, "organisation") + ": " + in_words(str(i, "action")));
  }
  if (auto r = f.find("recall"); r != f.end()) {
    p.row("召回 · Recalled", local_time(ms(*r, "at_ms"), p.offset()));
  }
}

void rx_facts(Page& p, const json& f) {
  p.row("开具机构 · Issued by", str(f, "issued_by"));
  p.row("开具日期 · Issued on", str(f, "issued_on"));
  p.row("有效期至 · Valid until", str(f, "valid_until"));
  if (auto r = f.find("review"); r != f.end()) {
    p.row("审核 · Review", in_words(str(*r, "decision")) + " — " + str(*r, "pharmacy") + " " + local_time(ms(*r, "at_ms"), p.offset()));
  }
  p.row("已调配 · Dispensed", f.value("dispensed", false) ? "是 · yes" : "否 · no");
  for (const json& d : f.value("dispenses", json::array())) {
    p.row("调配药房 · Dispensed by", str(d, "pharmacy") + " " + local_time(ms(d, "at_ms"), p.offset()));
  }
  if (auto d = f.find("delivery"); d != f.end()) {
    p.row("交付 · Handed over", in_words(str(*d, "method")) + " " + local_time(ms(*d, "at_ms"), p.offset()));
  }
  p.time_row("作废 · Cancelled", ms(f, "cancelled_at_ms"));
}

constexpr const char* kStyle = R"(<style>
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Noto Sans CJK SC","PingFang SC",sans-serif;color:#1b1f23;background:#f4f5f7}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1rem;font-weight:600;margin:.25rem 0 1rem;color:#555}
.banner{border-radius:.75rem;padding:1.25rem 1rem;color:#fff;text-align:center}
.banner .zh{font-size:2.2rem;font-weight:700;letter-spacing:.1em}
.banner .en{font-size:1.3rem;font-weight:700;letter-spacing:.05em}
.banner p{margin:.5rem 0 0;font-size:.95rem}
.ok{background:#1a7f37}.warn{background:#b35900}.bad{background:#c62828}
.code{word-break:break-all;font-family:ui-monospace,monospace;font-size:.85rem;color:#444;margin:.75rem 0}
section{background:#fff;border-radius:.75rem;padding:.75rem 1rem;margin:1rem 0}
h2{font-size:1rem;margin:.25rem 0 .5rem}
dl{margin:0}dt{font-size:.8rem;color:#666;margin-top:.5rem}dd{margin:0;word-break:break-word}
ol{margin:0;padding-left:1.2rem}li{margin:.4rem 0}
.refused{color:#c62828;font-weight:600}.when{color:#666;font-size:.85rem}
footer{font-size:.8rem;color:#666;text-align:center;margin:1rem 0 2rem}
</style>)";

std::string document(const std::string& title, const std::string& body) {
  return "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
         "<meta name=\"robots\" content=\"noindex\"><title>" +
         html_escape(title) + "</title>" + kStyle + "</head><body><main>\n" + body + "</main></body></html>\n";
}

std::string banner(const std::string& status) {
  const Words& w = words_of(status);
  return std::string("<div class=\"banner ") + w.tone + "\" id=\"status\" data-status=\"" + html_escape(status) +
         "\"><div class=\"zh\">" + w.zh + "</div><div class=\"en\">" + w.en + "</div><p>" + w.explain_zh +
         "<br>" + w.explain_en + "</p></div>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_trace_page(TraceKind kind, const TraceAnswer& answer, const TraceVouch& vouch,
                              int32_t utc_offset_minutes) {
  const json& b = answer.body;
  std::string body = std::string("<h1>") + kind_title(kind) + "</h1>\n" + banner(answer.status);
  body += "<div class=\"code\">" + html_escape(str(b, "code")) + "</div>\n";
  if (answer.found) {
    Page facts(utc_offset_minutes);
    const json f = b.value("facts", json::object());
    switch (kind) {
      case TraceKind::kVaccine: vaccine_facts(facts, f); break;
      case TraceKind::kTableware: tableware_facts(facts, f); break;
      case TraceKind::kRx: rx_facts(facts, f); break;
    }
    body += "<section><h2>详情 · Facts</h2><dl>\n" + facts.html() + "</dl></section>\n";
    std::string events;
    for (const json& e : b.value("timeline", json::array())) {
      const std::string kind_name = str(e, "event");
      const char* label = event_label(kind_name);
      events += "<li><span class=\"when\">" + html_escape(local_time(ms(e, "at_ms"), utc_offset_minutes)) + "</span> " +
                (label ? std::string(label) : html_escape(kind_name)) + " — " + html_escape(str(e, "organisation"));
      if (!e.value("accepted", true)) {
        events += " <span class=\"refused\">被拒绝 · refused (" + html_escape(str(e, "reason_code")) + ")</span>";
      }
      events += "</li>\n";
    }
    if (b.value("timeline_truncated", false)) events += "<li>…</li>\n";
    body += "<section><h2>记录 · Timeline</h2><ol>\n" + events + "</ol></section>\n";
  }
  body += "<footer id=\"vouch\">";
  if (vouch.checkpoint_height > 0) {
    body += "由 " + std::to_string(vouch.organisations) + " / " + std::to_string(vouch.of) +
            " 个机构共同签名验证 · verified by " + std::to_string(vouch.organisations) + " of " +
            std::to_string(vouch.of) + " organisations (checkpoint at block " + std::to_string(vouch.checkpoint_height) + ")";
  } else {
    body += "尚无机构共同签名的检查点 · no checkpoint signed by a quorum of organisations yet";
  }
  body += "<br>medtrail</footer>\n";
  return document(std::string(words_of(answer.status).zh) + " · " + words_of(answer.status).en, body);
}

std::string render_bad_code_page(TraceKind kind) {
  std::string body = std::string("<h1>") + kind_title(kind) + "</h1>\n" +
                     "<div class=\"banner bad\" id=\"status\" data-status=\"BAD_CODE\"><div class=\"zh\">编码格式有误</div>"
                     "<div class=\"en\">NOT A VALID CODE</div><p>请核对包装上的编码。<br>Check the code on the package.</p></div>\n";
  return document("编码格式有误 · Not a valid code", body);
}

}  // namespace medtrail::node::api
