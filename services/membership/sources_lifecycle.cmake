# The lifecycle part (the event-log state machine is in membership_rules): working days, alerts, the
# event and alert stores, AppendEvent, and the LifecycleService / ListMemberAlerts handlers.
set(MEMBERSHIP_LIFECYCLE_SRCS
  domain/alerts.cc
  store/event_store.cc
  store/alert_store.cc
  handlers/event_conversions.cc
  handlers/event_writer.cc
  handlers/alert_handlers.cc
  handlers/lifecycle_handlers.cc
  handlers/cell_succession.cc
)
