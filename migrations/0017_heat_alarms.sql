-- The heat alarm's record (issue 15): an article whose alert went out and that has not been below every
-- threshold since. Kept in the database, not in the memory of the node running the check, so that the check
-- moving to another node (or a restart) neither raises one crossing twice nor forgets it.
CREATE TABLE heat_alarms (
  article_id INTEGER PRIMARY KEY REFERENCES articles (id),
  raised_at  INTEGER NOT NULL
);
