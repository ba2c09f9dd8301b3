-- Back to version 14: the summary columns go (the bodies hold everything they held).
ALTER TABLE worlds DROP COLUMN summary;
ALTER TABLE locations DROP COLUMN summary;
ALTER TABLE characters DROP COLUMN summary;
ALTER TABLE personas DROP COLUMN summary;
ALTER TABLE lorebooks DROP COLUMN summary;
ALTER TABLE character_lorebooks DROP COLUMN summary;
ALTER TABLE presets DROP COLUMN summary;
