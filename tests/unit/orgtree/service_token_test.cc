// The service token file: read, trimmed, re-read when it changes (temp files only).
#include "services/orgtree/service_token.h"

#include <chrono>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

namespace grassroots::orgtree {
namespace {

class ServiceTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("grassroots-service-token-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { std::filesystem::remove(path_); }

  // Writes the file and moves its mtime forward by `tick` seconds, so a change
  // is visible whatever the file system's timestamp resolution.
  void WriteToken(const std::string& content, int tick) {
    std::ofstream(path_, std::ios::trunc) << content;
    std::filesystem::last_write_time(path_, base_time_ + std::chrono::seconds(tick));
  }

  std::filesystem::path path_;
  const std::filesystem::file_time_type base_time_ = std::filesystem::file_time_type::clock::now();
};

TEST_F(ServiceTokenTest, ReadsTrimsAndRereadsWhenTheFileChanges) {
  WriteToken("first.jwt.token\n", 1);
  ServiceToken token(path_.string());
  ASSERT_EQ(token.Get().value_or("?"), "first.jwt.token");

  // Same mtime: the cached token stays even though the bytes differ.
  WriteToken("unseen.jwt.token\n", 1);
  EXPECT_EQ(token.Get().value_or("?"), "first.jwt.token");

  WriteToken("  rotated.jwt.token \r\n", 2);
  EXPECT_EQ(token.Get().value_or("?"), "rotated.jwt.token");
}

TEST_F(ServiceTokenTest, MissingFileIsUnavailableUntilATokenWasRead) {
  ServiceToken token(path_.string());
  EXPECT_EQ(token.Get().status().code(), absl::StatusCode::kUnavailable);

  WriteToken("\n", 1);  // empty
  EXPECT_EQ(token.Get().status().code(), absl::StatusCode::kUnavailable);

  WriteToken("good.jwt.token", 2);
  ASSERT_EQ(token.Get().value_or("?"), "good.jwt.token");
  // A rotation that briefly removes the file keeps the last good token.
  std::filesystem::remove(path_);
  EXPECT_EQ(token.Get().value_or("?"), "good.jwt.token");
}

}  // namespace
}  // namespace grassroots::orgtree
