# YearlyRecordService through gRPC: residence liaison, commitments, ratings and
# the quota report, trainings, screening.
grassroots_integration_test(membership_yearly_integration_tests
  SOURCES yearly_records_test.cc
  LIBS membership_test_fixture)

# Org's residential-unit heads confirmed by this membership service (both in-process).
grassroots_integration_test(membership_unit_head_integration_tests
  SOURCES unit_head_member_test.cc
  LIBS membership_test_fixture)

# MemberSyncService: the member's offline copy, with org's meetings through the meetings follower.
grassroots_integration_test(membership_sync_integration_tests
  SOURCES sync_test.cc
  LIBS membership_test_fixture)
