-- Members present at a meeting (member ids of the membership service; no cross-schema key).
CREATE TABLE IF NOT EXISTS meeting_attendees (
  meeting_id BIGINT NOT NULL,
  member_id BIGINT NOT NULL,
  PRIMARY KEY (meeting_id, member_id),
  KEY ix_meeting_attendees_member (member_id),
  CONSTRAINT fk_meeting_attendees_meeting FOREIGN KEY (meeting_id) REFERENCES meetings (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
