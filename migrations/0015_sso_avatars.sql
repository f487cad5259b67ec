-- The https avatar a site's signed-in user (SSO) carried when they wrote the comment (issue 12): shown next
-- to the verified name. NULL for everyone else; only ever an https URL (checked when the token is verified).
ALTER TABLE comments ADD COLUMN verified_avatar TEXT;
