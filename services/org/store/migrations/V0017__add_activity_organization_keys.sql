-- Activity records point at organizations, which are never deleted (their history is
-- kept), so these keys only refuse rows for organizations that never existed.
ALTER TABLE residential_units
  ADD CONSTRAINT fk_residential_units_commune FOREIGN KEY (commune_organization_id) REFERENCES organizations (id),
  ADD CONSTRAINT fk_residential_units_covering_cell FOREIGN KEY (covering_cell_id) REFERENCES organizations (id);
ALTER TABLE working_regulations
  ADD CONSTRAINT fk_working_regulations_organization FOREIGN KEY (organization_id) REFERENCES organizations (id);
ALTER TABLE meetings
  ADD CONSTRAINT fk_meetings_organization FOREIGN KEY (organization_id) REFERENCES organizations (id),
  ADD CONSTRAINT fk_meetings_party_group FOREIGN KEY (party_group_id) REFERENCES organizations (id);
ALTER TABLE new_models
  ADD CONSTRAINT fk_new_models_organization FOREIGN KEY (organization_id) REFERENCES organizations (id);
ALTER TABLE four_good_designations
  ADD CONSTRAINT fk_four_good_designations_organization FOREIGN KEY (organization_id) REFERENCES organizations (id);
ALTER TABLE organization_ratings
  ADD CONSTRAINT fk_organization_ratings_organization FOREIGN KEY (organization_id) REFERENCES organizations (id);
