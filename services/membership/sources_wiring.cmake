# Wiring part: the calls to the organization service and the projection of its tree.
set(MEMBERSHIP_WIRING_SRCS
  handlers/cell_directory.cc
  store/org_projection.cc
  handlers/org_feed_follower.cc
)
