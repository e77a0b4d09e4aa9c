# YearlyRecordService through gRPC: residence liaison, commitments, ratings and
# the quota report, trainings, screening.
grassroots_integration_test(membership_yearly_integration_tests
  SOURCES yearly_records_test.cc
  LIBS membership_test_fixture)
