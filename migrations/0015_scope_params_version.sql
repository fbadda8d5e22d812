-- The values of a scope's parameters are entered as one set (a page with
-- every parameter, a bulk request), so the set carries one version: a
-- writer's change applies only to the set they saw, whichever values it
-- touches and whether values were added, changed or cleared.
ALTER TABLE scopes ADD COLUMN params_version integer NOT NULL DEFAULT 1;
