-- The heat alarm's record (issue 15): mirrors SQLite 0017_heat_alarms.sql.
CREATE TABLE heat_alarms (
  article_id BIGINT PRIMARY KEY REFERENCES articles (id),
  raised_at  BIGINT NOT NULL
);
