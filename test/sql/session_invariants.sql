--
-- test/sql/session_invariants.sql: the one definition of the session
-- invariants that the isolation specs (test/specs/sess_*.spec) and the TAP
-- tests (test/t/021_session_load.pl, test/t/120_hostile_concurrency.pl)
-- check.  The Makefile loads it into the isolation database before the
-- specs run (target isolation-prep); the TAP tests load it themselves.
--
-- The functions are SQL with unchecked bodies: they name usrmgmt's tables,
-- which each spec creates and drops with the extension, and no dependency
-- on them is recorded.
--
-- session_invariants(): one row of counts, all 0 when the invariants hold:
--   inactive_sessions  open sessions of an inactive user
--   stale_names        open sessions whose username is not their user's
--   bad_sessions       sessions in the log without exactly one 'login' row,
--                      or without exactly one 'logout' row when closed and
--                      none when open
--   unlogged_sessions  open sessions without their 'login' row
--   unbalanced_users   users whose open sessions differ from their 'login'
--                      rows minus their 'logout' rows
-- usrmgmt.validate_data_integrity() reports the first two, an open session
-- without its login row or with a logout row, a closed one without its
-- logout row, extra logout rows and logout rows without a login; it does
-- not report a session with two 'login' rows, log rows attributed to
-- another user than the session's (unbalanced_users), or log rows without
-- a session id, which bad_sessions counts as one bad group.
--
-- session_log(): the log in order, without ids and timestamps.
--
SET check_function_bodies = off;

CREATE FUNCTION public.session_invariants(
    OUT inactive_sessions bigint, OUT stale_names bigint, OUT bad_sessions bigint,
    OUT unlogged_sessions bigint, OUT unbalanced_users bigint)
LANGUAGE sql STABLE AS $$
SELECT
    (SELECT count(*) FROM usrmgmt.online_user o JOIN usrmgmt."user" u ON u.id = o.user_id
      WHERE NOT u.is_active),
    (SELECT count(*) FROM usrmgmt.online_user o JOIN usrmgmt."user" u ON u.id = o.user_id
      WHERE o.username <> u.username),
    (SELECT count(*) FROM (SELECT l.session_id FROM usrmgmt.user_log l GROUP BY l.session_id
      HAVING count(*) FILTER (WHERE l.action = 'login') <> 1
          OR count(*) FILTER (WHERE l.action = 'logout') <>
             CASE WHEN EXISTS (SELECT 1 FROM usrmgmt.online_user o WHERE o.id = l.session_id)
                  THEN 0 ELSE 1 END) x),
    (SELECT count(*) FROM usrmgmt.online_user o WHERE NOT EXISTS
      (SELECT 1 FROM usrmgmt.user_log l WHERE l.session_id = o.id AND l.action = 'login')),
    (SELECT count(*) FROM usrmgmt."user" u
      WHERE (SELECT count(*) FROM usrmgmt.online_user o WHERE o.user_id = u.id) <>
            (SELECT count(*) FILTER (WHERE l.action = 'login')
                    - count(*) FILTER (WHERE l.action = 'logout')
               FROM usrmgmt.user_log l WHERE l.user_id = u.id))
$$;

CREATE FUNCTION public.session_log(
    OUT session_id bigint, OUT action text, OUT no_user_id boolean,
    OUT username text, OUT detail text)
RETURNS SETOF record
LANGUAGE sql STABLE AS $$
SELECT l.session_id, l.action, l.user_id IS NULL, l.username, l.detail
  FROM usrmgmt.user_log l ORDER BY l.id
$$;

RESET check_function_bodies;
