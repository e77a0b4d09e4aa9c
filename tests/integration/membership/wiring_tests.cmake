# Wiring: membership's projection of the org tree over real MariaDB, and the
# org-feed follower and cell directory against the real org service in-process
# (through a TCP proxy, so tests can take it away).
grassroots_integration_test(membership_wiring_integration_tests
  SOURCES org_projection_test.cc org_feed_follower_test.cc
  LIBS membership_lib org_lib)
