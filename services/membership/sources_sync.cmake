# The members' mobile sync: the sync position and its rules, the reads of the
# member's feed entries, the projection of their cell's meetings (its own
# follower of org's feed) and MemberSyncService.
set(MEMBERSHIP_SYNC_SRCS
  domain/sync_position.cc
  store/sync_store.cc
  handlers/sync_handlers.cc
)
