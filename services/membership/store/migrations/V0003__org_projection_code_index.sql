-- The bulk import resolves cells by their organization code.
CREATE INDEX idx_org_projection_code ON org_projection (code);
