-- The SSO author's https avatar (issue 12): mirrors SQLite 0015_sso_avatars.sql.
ALTER TABLE comments ADD COLUMN verified_avatar TEXT;
