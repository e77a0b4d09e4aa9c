-- Dues up the tree and the portal's payments (docs/dues.md).

-- What an organization handed up for a month, to the organization above it
-- when recorded (NULL for the tree's root, which remits outside this
-- system). Never updated nor deleted: a correction is a new row naming the
-- row it corrects (at most one), and a corrected row no longer counts.
CREATE TABLE IF NOT EXISTS dues_remittances (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  to_org_id BIGINT NULL,
  month DATE NOT NULL,
  amount BIGINT NOT NULL,
  channel TINYINT NOT NULL,
  remitted_on DATE NOT NULL,
  reference VARCHAR(128) NOT NULL DEFAULT '',
  note VARCHAR(500) NOT NULL DEFAULT '',
  corrects_remittance_id BIGINT NULL,
  recorded_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY idx_dues_remittances_org_month (org_id, month),
  KEY idx_dues_remittances_to_month (to_org_id, month),
  UNIQUE KEY uq_dues_remittances_corrects (corrects_remittance_id),
  CONSTRAINT fk_dues_remittances_corrects FOREIGN KEY (corrects_remittance_id) REFERENCES dues_remittances (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Each transaction of the national public service portal recorded, once:
-- the key that makes a payment file safe to import again.
CREATE TABLE IF NOT EXISTS dues_portal_transactions (
  transaction_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  entry_id BIGINT NOT NULL,
  recorded_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CONSTRAINT fk_dues_portal_transactions_entry FOREIGN KEY (entry_id) REFERENCES dues_entries (id)
) ENGINE=InnoDB;
