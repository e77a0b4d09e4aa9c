-- The citizen ID, ethnicity and religion are sealed at rest (AES-256-GCM under
-- the keyring of --sensitive-keyring-file; common/crypto/keyring.h). Each value
-- is nonce || ciphertext || tag, bound to its key id, member and column;
-- key_version names the key (0: plaintext written before sealing, which the
-- service seals at start-up before it serves). The blind index
-- citizen_id_lookup (HMAC) stays for exact lookup.
--
-- A sealed value is 28 bytes longer than its plaintext (VARBINARY(512) holds it).
-- The index on (key_version, member_id) lets the start-up sealing
-- and the rotation job find the rows under a given key in member order.
ALTER TABLE member_sensitive
  MODIFY citizen_id VARBINARY(512) NULL COMMENT 'sealed under key_version (0: plaintext)',
  MODIFY ethnicity VARBINARY(512) NULL COMMENT 'sealed under key_version (0: plaintext)',
  MODIFY religion VARBINARY(512) NULL COMMENT 'sealed under key_version (0: plaintext)',
  MODIFY key_version INT NOT NULL DEFAULT 0 COMMENT 'keyring key id that sealed the values; 0: plaintext',
  ADD KEY idx_member_sensitive_key_version (key_version, member_id);
