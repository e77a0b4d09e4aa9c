# The shared fixture of the membership integration tests: the real org service
# and the real membership service in-process, a TCP proxy between them.
add_library(membership_test_fixture STATIC membership_fixture.cc)
target_link_libraries(membership_test_fixture
  PUBLIC membership_lib org_lib grassroots_test_support GTest::gtest GTest::gmock
  PRIVATE grassroots_warnings)
