# Yearly records (QĐ 213 residence liaison, commitments, ratings, trainings, HD 02 screening).
set(MEMBERSHIP_YEARLY_SRCS
  domain/yearly_rules.cc
  store/yearly_store.cc
  handlers/yearly_handlers.cc
)
