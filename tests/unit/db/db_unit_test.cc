// No-I/O tests of the database layer: MariaDB error mapping and the migration
// file splitter / naming / checksum.
#include <cppconn/exception.h>
#include <gtest/gtest.h>

#include "common/db/db.h"

namespace grassroots::common::db {
namespace {

absl::StatusCode CodeFor(int mariadb_errno) {
  return FromSqlException(sql::SQLException("message", "HY000", mariadb_errno), "unit_test").code();
}

TEST(FromSqlException, MapsMariaDbErrors) {
  EXPECT_EQ(CodeFor(1062), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeFor(1451), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeFor(1452), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeFor(1213), absl::StatusCode::kAborted);
  EXPECT_EQ(CodeFor(1205), absl::StatusCode::kAborted);
  for (int client_error : {2002, 2003, 2006, 2013, 2055}) {
    EXPECT_EQ(CodeFor(client_error), absl::StatusCode::kUnavailable) << client_error;
  }
  // The server cannot serve now; another connection may reach one that can.
  EXPECT_EQ(CodeFor(1047), absl::StatusCode::kUnavailable);  // Galera node outside the primary component
  EXPECT_EQ(CodeFor(1053), absl::StatusCode::kUnavailable);  // server shutdown in progress
  EXPECT_EQ(CodeFor(1927), absl::StatusCode::kUnavailable);  // connection killed
  EXPECT_EQ(CodeFor(1180), absl::StatusCode::kUnavailable);  // error during COMMIT (Galera: quorum lost)
  EXPECT_EQ(CodeFor(1064), absl::StatusCode::kInternal);  // syntax error
  EXPECT_EQ(CodeFor(0), absl::StatusCode::kInternal);
}

TEST(FromSqlException, NeverPassesTheServerMessageToClients) {
  // Duplicate-key messages quote the offending value (possibly personal data).
  absl::Status status = FromSqlException(
      sql::SQLException("Duplicate entry '012345678901' for key 'nid'", "23000", 1062), "unit_test");
  EXPECT_EQ(std::string(status.message()).find("012345678901"), std::string::npos);
  status = FromSqlException(sql::SQLException("Table 'x.secret' doesn't exist", "42S02", 1146), "unit_test");
  EXPECT_EQ(std::string(status.message()).find("secret"), std::string::npos);
}

TEST(SplitSqlStatements, SplitsOnSemicolonAtLineEnd) {
  std::vector<std::string> statements = SplitSqlStatements(
      "-- header comment;\n"
      "CREATE TABLE a (\n"
      "  x INT, -- inline; comment stays inside the statement\n"
      "  note VARCHAR(10) DEFAULT 'a;b'\n"
      ");\n"
      "\n"
      "INSERT INTO a (x) VALUES (1);   \r\n"
      "  -- indented comment\n"
      "UPDATE a SET x = 2");
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[0],
            "CREATE TABLE a (\n  x INT, -- inline; comment stays inside the statement\n"
            "  note VARCHAR(10) DEFAULT 'a;b'\n)");
  EXPECT_EQ(statements[1], "INSERT INTO a (x) VALUES (1)");
  EXPECT_EQ(statements[2], "UPDATE a SET x = 2");
}

TEST(SplitSqlStatements, SkipsEmptyStatementsAndCommentOnlyFiles) {
  EXPECT_TRUE(SplitSqlStatements("").empty());
  EXPECT_TRUE(SplitSqlStatements("-- nothing here;\n\n   \n;\n").empty());
  EXPECT_EQ(SplitSqlStatements("SELECT 1;\n;\nSELECT 2;").size(), 2u);
}

TEST(SplitSqlStatements, EmbeddedCommonMigrationSplitsIntoItsStatements) {
  const std::vector<Migration>& common = CommonMigrations();
  ASSERT_FALSE(common.empty());
  EXPECT_EQ(common.front().component, "common");
  EXPECT_EQ(common.front().version, 1);
  std::vector<std::string> statements = SplitSqlStatements(common.front().sql);
  ASSERT_EQ(statements.size(), 5u);  // change_feed, feed_head, its row, audit_log, idempotency_keys
  for (const std::string& statement : statements) {
    EXPECT_EQ(statement.find("--"), std::string::npos) << statement;
  }
}

TEST(Migration, FileNameAndChecksum) {
  Migration m{"org", 7, "add_units", "CREATE TABLE t (x INT);\n"};
  EXPECT_EQ(MigrationFileName(m), "V0007__add_units.sql");
  const std::string checksum = MigrationChecksum(m);
  EXPECT_EQ(checksum.size(), 64u);
  Migration crlf = m;
  crlf.sql = "CREATE TABLE t (x INT);\r\n";
  EXPECT_EQ(MigrationChecksum(crlf), checksum);
  Migration edited = m;
  edited.sql = "CREATE TABLE t (x BIGINT);\n";
  EXPECT_NE(MigrationChecksum(edited), checksum);
  // SHA-256 of the empty string, to pin the algorithm.
  EXPECT_EQ(MigrationChecksum(Migration{"c", 1, "d", ""}),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace grassroots::common::db
