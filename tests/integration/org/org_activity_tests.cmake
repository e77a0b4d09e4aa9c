# org-activity's integration tests: residential units, meetings, recognition,
# working regulations and rules through real gRPC stubs on the real database.
grassroots_integration_test(org_activity_integration_tests
  SOURCES activity_units_test.cc unit_history_test.cc activity_meetings_test.cc activity_recognition_test.cc scale_test.cc
  LIBS org_test_fixture)
