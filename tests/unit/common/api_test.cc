#include "common/api/api.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "common/status/status.h"

namespace grassroots::common::api {
namespace {

TEST(DateTest, ParsesAndFormatsCalendarDates) {
  auto day = ParseDate("2024-02-29", "meeting.date");
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_EQ(*day, absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(FormatDate(*day), "2024-02-29");
}

TEST(DateTest, ImpossibleOrMalformedDatesNameTheField) {
  for (const char* text : {"2025-02-30", "2023-02-29", "2025-13-01", "2025-00-10", "2025-1-5", "25-01-01",
                           "2025/01/01", "", "2025-01-01T00:00", " 2025-01-01", "tomorrow"}) {
    auto day = ParseDate(text, "meeting.date");
    ASSERT_FALSE(day.ok()) << text;
    EXPECT_EQ(day.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(FieldOf(day.status()), "meeting.date") << text;
  }
}

TEST(DateTest, ParseDateOrFallsBackOnEmpty) {
  EXPECT_EQ(*ParseDateOr("", "as_of", absl::CivilDay(2020, 1, 1)), absl::CivilDay(2020, 1, 1));
  EXPECT_EQ(*ParseDateOr("2021-06-30", "as_of", absl::CivilDay(2020, 1, 1)), absl::CivilDay(2021, 6, 30));
  EXPECT_FALSE(ParseDateOr("2021-06-31", "as_of", absl::CivilDay(2020, 1, 1)).ok());
}

TEST(DateTest, TodayIsUtcPlusSeven) {
  const absl::Time now = absl::Now();
  const absl::CivilDay today = Today();
  const absl::CivilDay expected = absl::ToCivilDay(now, absl::FixedTimeZone(7 * 3600));
  // Allow for midnight passing between the two reads.
  EXPECT_TRUE(today == expected || today == expected + 1) << today << " vs " << expected;
}

TEST(NameTest, ParseIdAcceptsOnlyPositiveIdsInTheCollection) {
  EXPECT_EQ(*ParseId("organizations/42", "organizations", "name"), 42);
  EXPECT_EQ(*ParseId("organizations/42/meetings/7", "organizations/42/meetings", "name"), 7);
  for (const char* bad : {"organizations/0", "organizations/-1", "organizations/", "organizations/4x", "members/4",
                          "organizations", "organizations/99999999999999999999", "organizations/+4"}) {
    auto id = ParseId(bad, "organizations", "name");
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(FieldOf(id.status()), "name");
  }
  EXPECT_EQ(MakeName("organizations", 42), "organizations/42");
}

TEST(PageSizeTest, Clamps) {
  EXPECT_EQ(*ClampPageSize(0, 50, 500), 50);
  EXPECT_EQ(*ClampPageSize(10, 50, 500), 10);
  EXPECT_EQ(*ClampPageSize(5000, 50, 500), 500);
  auto negative = ClampPageSize(-1, 50, 500);
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(FieldOf(negative.status()), "page_size");
}

TEST(PageTokenTest, RoundTrips) {
  PageTokenCodec codec("0123456789abcdef-secret");
  const uint64_t fingerprint = Fingerprint({"organizations/1", "state=ACTIVE"});
  PageCursor cursor{"Chi bộ Thôn 3\x01key", 123456789012, fingerprint};
  const std::string token = codec.Encode(cursor);
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos)
      << "URL-safe, no padding: " << token;
  EXPECT_FALSE(absl::StrContains(token, "Chi"));
  auto decoded = codec.Decode(token, fingerprint);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_TRUE(decoded->has_value());
  EXPECT_EQ((*decoded)->last_key, cursor.last_key);
  EXPECT_EQ((*decoded)->last_id, cursor.last_id);
  EXPECT_EQ((*decoded)->query_fingerprint, fingerprint);

  auto empty = codec.Decode("", fingerprint);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
}

TEST(PageTokenTest, TamperedForgedOrForeignTokensAreRefused) {
  PageTokenCodec codec("0123456789abcdef-secret");
  const uint64_t fingerprint = Fingerprint({"a"});
  const std::string token = codec.Encode({"k", 5, fingerprint});

  for (size_t i = 0; i < token.size(); ++i) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    auto decoded = codec.Decode(tampered, fingerprint);
    EXPECT_FALSE(decoded.ok()) << "position " << i;
    if (!decoded.ok()) {
      EXPECT_EQ(FieldOf(decoded.status()), "page_token");
    }
  }
  EXPECT_FALSE(codec.Decode(token.substr(0, token.size() - 1), fingerprint).ok());
  EXPECT_FALSE(codec.Decode("not a token!", fingerprint).ok());
  EXPECT_FALSE(codec.Decode(std::string(5000, 'A'), fingerprint).ok());
  EXPECT_FALSE(PageTokenCodec("another-secret-0123456").Decode(token, fingerprint).ok());

  auto other_query = codec.Decode(token, Fingerprint({"b"}));
  ASSERT_FALSE(other_query.ok());
  EXPECT_EQ(other_query.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(other_query.status()), "page_token");
}

TEST(FingerprintTest, StableAndSensitiveToPartBoundaries) {
  // A fixed value: tokens survive restarts and rebuilds only if this never changes.
  EXPECT_EQ(Fingerprint({}), 14695981039346656037ull);
  EXPECT_EQ(Fingerprint({"a", "b"}), Fingerprint({"a", "b"}));
  EXPECT_NE(Fingerprint({"ab", "c"}), Fingerprint({"a", "bc"}));
  EXPECT_NE(Fingerprint({"a"}), Fingerprint({"a", ""}));
}

TEST(EtagTest, MatchesOrAborts) {
  EXPECT_EQ(MakeEtag(3), "\"v3\"");
  EXPECT_TRUE(CheckEtag("", 3, "organizations/1").ok());
  EXPECT_TRUE(CheckEtag(MakeEtag(3), 3, "organizations/1").ok());
  EXPECT_TRUE(CheckEtag("v3", 3, "organizations/1").ok());
  absl::Status stale = CheckEtag(MakeEtag(2), 3, "organizations/1");
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_TRUE(absl::StrContains(stale.message(), "organizations/1"));
  EXPECT_EQ(CheckEtag("\"v33\"", 3, "x").code(), absl::StatusCode::kAborted);
  EXPECT_EQ(CheckEtag("garbage", 3, "x").code(), absl::StatusCode::kAborted);
}

TEST(UpdateMaskTest, PathsMustBeAllowed) {
  google::protobuf::FieldMask mask;
  mask.add_paths("display_name");
  mask.add_paths("address.street");
  EXPECT_TRUE(ValidateUpdateMask(mask, {"display_name", "address.street", "code"}).ok());
  absl::Status bad = ValidateUpdateMask(mask, {"display_name"});
  EXPECT_EQ(FieldOf(bad), "update_mask");
  EXPECT_TRUE(absl::StrContains(bad.message(), "address.street"));
  EXPECT_TRUE(ValidateUpdateMask(google::protobuf::FieldMask(), {}).ok());

  EXPECT_TRUE(MaskContains(mask, "display_name"));
  EXPECT_TRUE(MaskContains(mask, "address.street"));
  EXPECT_FALSE(MaskContains(mask, "address"));
  EXPECT_FALSE(MaskContains(mask, "display"));
  google::protobuf::FieldMask parent;
  parent.add_paths("address");
  EXPECT_TRUE(MaskContains(parent, "address.street"));
  EXPECT_FALSE(MaskContains(parent, "addresses"));
  google::protobuf::FieldMask star;
  star.add_paths("*");
  EXPECT_TRUE(MaskContains(star, "anything"));
}

TEST(RequestIdTest, Validates) {
  EXPECT_TRUE(ValidateRequestId("").ok());
  EXPECT_TRUE(ValidateRequestId("a1-B2_c3").ok());
  EXPECT_TRUE(ValidateRequestId(std::string(64, 'x')).ok());
  EXPECT_EQ(FieldOf(ValidateRequestId(std::string(65, 'x'))), "request_id");
  EXPECT_EQ(FieldOf(ValidateRequestId("has space")), "request_id");
  EXPECT_EQ(FieldOf(ValidateRequestId("semi;colon")), "request_id");
}

TEST(TextTest, NormalizesToNfcAndTrims) {
  // "Nguyễn" with e + U+0302 (circumflex) + U+0303 (tilde) decomposed.
  const std::string decomposed = "  Nguye\xCC\x82\xCC\x83n  ";
  auto text = NormalizeText(decomposed, "full_name", true, 100);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "Nguy\xE1\xBB\x85n");  // U+1EC5 precomposed
  EXPECT_EQ(*NormalizeText("Chi bộ", "x", true, 100), "Chi bộ");
}

TEST(TextTest, RejectsBadInput) {
  EXPECT_EQ(FieldOf(NormalizeText("ab\xFF", "name", true, 100).status()), "name");
  EXPECT_EQ(FieldOf(NormalizeText("\xC3", "name", true, 100).status()), "name");
  EXPECT_EQ(FieldOf(NormalizeText("a\x01" "b", "name", true, 100).status()), "name");
  EXPECT_EQ(FieldOf(NormalizeText("line1\nline2", "name", true, 100).status()), "name");
  EXPECT_EQ(FieldOf(NormalizeText("   ", "name", true, 100).status()), "name");
  EXPECT_TRUE(NormalizeText("   ", "name", false, 100).ok());
  // Length counts code points, not bytes: 5 Vietnamese letters fit in 5.
  EXPECT_TRUE(NormalizeText("Đạt Ễ", "name", true, 5).ok());
  EXPECT_EQ(FieldOf(NormalizeText("Đạt Ễx", "name", true, 5).status()), "name");
}

TEST(TextTest, FoldForSearch) {
  EXPECT_EQ(FoldForSearch("Nguyễn Văn Đạt"), "nguyen van dat");
  EXPECT_EQ(FoldForSearch("ĐẢNG BỘ XÃ"), "dang bo xa");
  EXPECT_EQ(FoldForSearch("Nguye\xCC\x82\xCC\x83n"), "nguyen");
  EXPECT_EQ(FoldForSearch("abc-123"), "abc-123");
}

TEST(CodeTest, Validates) {
  EXPECT_TRUE(ValidateCode("CB.THON-3_A", "code").ok());
  EXPECT_EQ(FieldOf(ValidateCode("", "organization.code")), "organization.code");
  EXPECT_EQ(FieldOf(ValidateCode("has space", "code")), "code");
  EXPECT_EQ(FieldOf(ValidateCode("Đ", "code")), "code");
  EXPECT_EQ(FieldOf(ValidateCode(std::string(65, 'a'), "code")), "code");
}

}  // namespace
}  // namespace grassroots::common::api
