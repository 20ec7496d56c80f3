-- up
CREATE TABLE t (id int);
-- down
DROP TABLE t;
