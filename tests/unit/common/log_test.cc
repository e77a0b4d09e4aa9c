#include "common/log/log.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace grassroots::common::log {
namespace {

std::vector<nlohmann::json> CaptureLines(const std::function<void()>& body) {
  ::testing::internal::CaptureStderr();
  body();
  const std::string text = ::testing::internal::GetCapturedStderr();
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << line;
    lines.push_back(parsed);
  }
  return lines;
}

TEST(LogTest, WritesOneJsonObjectPerLine) {
  Init("org", Level::kInfo);
  auto lines = CaptureLines([] {
    RequestIdScope scope("req-1");
    Info("created", {{"organization_id", 42}});
  });
  ASSERT_EQ(lines.size(), 1u);
  const nlohmann::json& line = lines[0];
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["service"], "org");
  EXPECT_EQ(line["msg"], "created");
  EXPECT_EQ(line["request_id"], "req-1");
  EXPECT_EQ(line["fields"]["organization_id"], 42);
  EXPECT_TRUE(std::regex_match(line["ts"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << line["ts"];
}

TEST(LogTest, LevelFilterAndRequestIdScopeNesting) {
  Init("org", Level::kWarn);
  auto lines = CaptureLines([] {
    Info("dropped");
    RequestIdScope outer("outer");
    {
      RequestIdScope inner("inner");
      Warn("in inner");
    }
    Error("in outer");
  });
  Init("org", Level::kInfo);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["request_id"], "inner");
  EXPECT_EQ(lines[1]["request_id"], "outer");
  EXPECT_EQ(CurrentRequestId(), "");
}

TEST(LogTest, NoRequestIdFieldOutsideAScope) {
  Init("org", Level::kInfo);
  auto lines = CaptureLines([] { Info("plain"); });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(lines[0].contains("request_id"));
  EXPECT_FALSE(lines[0].contains("fields"));
}

TEST(LogTest, ConcurrentLinesNeverInterleave) {
  Init("org", Level::kInfo);
  auto lines = CaptureLines([] {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([t] {
        for (int i = 0; i < 200; ++i) Info(std::string(100, static_cast<char>('a' + t)), {{"i", i}});
      });
    for (auto& thread : threads) thread.join();
  });
  EXPECT_EQ(lines.size(), 800u);  // every line parsed as JSON above
}

TEST(LogTest, ParseLevelAndRequestIds) {
  EXPECT_EQ(ParseLevel("debug"), Level::kDebug);
  EXPECT_EQ(ParseLevel("WARN"), Level::kWarn);
  EXPECT_EQ(ParseLevel("error"), Level::kError);
  EXPECT_EQ(ParseLevel("nonsense"), Level::kInfo);
  const std::string id = NewRequestId();
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{32}"))) << id;
  EXPECT_NE(id, NewRequestId());
}

}  // namespace
}  // namespace grassroots::common::log
