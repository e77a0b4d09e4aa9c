-- Cell meetings, projected from the organization service's feed (resource
-- type "meeting") by their own follower (feed_cursors.source "org_meetings"),
-- for the members' mobile sync. A projection: cleared and rebuilt from the
-- feed whenever the follower rebinds to another epoch of org's feed.

-- One row per meeting as last published. `view` is the serialized
-- grassroots.membership.v1.SyncedMeeting without `attended` (which depends on
-- who asks): the projection is rebuilt from the feed, never migrated.
CREATE TABLE IF NOT EXISTS cell_meetings (
  meeting_id BIGINT NOT NULL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  -- Unix seconds of the actual start, or of the planned start before it was held.
  starts_at BIGINT NOT NULL,
  source_sequence BIGINT NOT NULL,
  view MEDIUMBLOB NOT NULL,
  -- A member's sync reads "the cell's meetings changed after sequence N".
  KEY idx_cell_meetings_org_sequence (org_id, source_sequence)
) ENGINE=InnoDB;

-- Who is recorded as present, replaced with each change of the meeting.
CREATE TABLE IF NOT EXISTS cell_meeting_attendees (
  meeting_id BIGINT NOT NULL,
  member_id BIGINT NOT NULL,
  PRIMARY KEY (meeting_id, member_id)
) ENGINE=InnoDB;
