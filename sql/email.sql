--
-- email: usrmgmt.is_valid_email() over the corners of the WHATWG HTML
-- "valid e-mail address" rule, held against the WHATWG regular expression
-- written as a PostgreSQL regex in this file.  The C function adds two
-- length limits the regex does not have (whole address <= 254, local part
-- <= 64); every disagreement between the two must be one of those.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE EXTENSION usrmgmt;

-- The WHATWG rule (HTML Living Standard, 4.10.5.1.5 E-mail state):
--   /^[a-zA-Z0-9.!#$%&'*+\/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/
CREATE TEMP TABLE whatwg (re text);
INSERT INTO whatwg VALUES
    ('^[a-zA-Z0-9.!#$%&''*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$');

-- Each case: what it tests, the address, the expected verdict.
CREATE TEMP TABLE email_case (n serial, note text, addr text, expected boolean);
INSERT INTO email_case (note, addr, expected) VALUES
    -- plain valid addresses
    ('plain', 'user@example.com', true),
    ('single letters', 'a@b', true),
    ('single-label domain', 'user@localhost', true),
    ('top-level domain only', 'user@com', true),
    ('upper case', 'USER@EXAMPLE.COM', true),
    ('mixed case', 'MiXeD@ExAmPlE.CoM', true),
    ('dotted local part', 'first.last@example.com', true),
    ('plus tag', 'user+tag@example.com', true),
    ('underscore local', 'user_name@example.co.uk', true),
    ('deep domain', 'a@b.c.d.e.f.g', true),
    ('digits local', '1234567890@example.com', true),
    ('numeric domain labels', 'a@123', true),
    ('numeric dotted quad is labels', 'a@127.0.0.1', true),
    ('numeric zero labels', 'a@0.0', true),
    ('punycode IDN label', 'user@xn--bcher-kva.example', true),
    ('percent routing', 'user%example.org@example.com', true),
    ('bang path', 'a!b@c', true),
    -- dots anywhere in the local part (WHATWG allows them)
    ('leading dot local', '.user@example.com', true),
    ('trailing dot local', 'user.@example.com', true),
    ('double dot local', 'a..b@example.com', true),
    ('only a dot local', '.@example.com', true),
    ('only dots local', '...@example.com', true),
    -- every atext special character inside a local part
    ('atext !', 'a!b@example.com', true),
    ('atext #', 'a#b@example.com', true),
    ('atext $', 'a$b@example.com', true),
    ('atext %', 'a%b@example.com', true),
    ('atext &', 'a&b@example.com', true),
    ('atext ''', 'a''b@example.com', true),
    ('atext *', 'a*b@example.com', true),
    ('atext +', 'a+b@example.com', true),
    ('atext /', 'a/b@example.com', true),
    ('atext =', 'a=b@example.com', true),
    ('atext ?', 'a?b@example.com', true),
    ('atext ^', 'a^b@example.com', true),
    ('atext _', 'a_b@example.com', true),
    ('atext `', 'a`b@example.com', true),
    ('atext {', 'a{b@example.com', true),
    ('atext |', 'a|b@example.com', true),
    ('atext }', 'a}b@example.com', true),
    ('atext ~', 'a~b@example.com', true),
    ('atext -', 'a-b@example.com', true),
    -- ... and as the whole local part
    ('local !', '!@example.com', true),
    ('local #', '#@example.com', true),
    ('local $', '$@example.com', true),
    ('local %', '%@example.com', true),
    ('local &', '&@example.com', true),
    ('local ''', '''@example.com', true),
    ('local *', '*@example.com', true),
    ('local +', '+@example.com', true),
    ('local /', '/@example.com', true),
    ('local =', '=@example.com', true),
    ('local ?', '?@example.com', true),
    ('local ^', '^@example.com', true),
    ('local _', '_@example.com', true),
    ('local `', '`@example.com', true),
    ('local {', '{@example.com', true),
    ('local |', '|@example.com', true),
    ('local }', '}@example.com', true),
    ('local ~', '~@example.com', true),
    ('local -', '-@example.com', true),
    ('all atext at once', '!#$%&''*+/=?^_`{|}~-.@example.com', true),
    -- characters outside atext in the local part
    ('local space', 'a b@example.com', false),
    ('local double quote', 'a"b@example.com', false),
    ('local (', 'a(b@example.com', false),
    ('local )', 'a)b@example.com', false),
    ('local ,', 'a,b@example.com', false),
    ('local :', 'a:b@example.com', false),
    ('local ;', 'a;b@example.com', false),
    ('local <', 'a<b@example.com', false),
    ('local >', 'a>b@example.com', false),
    ('local [', 'a[b@example.com', false),
    ('local ]', 'a]b@example.com', false),
    ('local backslash', 'a\b@example.com', false),
    -- characters outside [A-Za-z0-9-] in the domain
    ('domain _', 'a@exa_mple.com', false),
    ('domain +', 'a@exa+mple.com', false),
    ('domain !', 'a@exa!mple.com', false),
    ('domain ''', 'a@exa''mple.com', false),
    ('domain /', 'a@exa/mple.com', false),
    ('domain ~', 'a@example.co~m', false),
    ('domain space', 'a@exa mple.com', false),
    -- hyphens at label ends
    ('hyphen inside label', 'a@ex-ample.com', true),
    ('double hyphen inside label', 'a@ex--ample.com', true),
    ('hyphens in several labels', 'a@a-b.c-d.e-f', true),
    ('hyphen in last label', 'a@example.c-m', true),
    ('hyphen numeric labels', 'a@1-2.3', true),
    ('label starts with hyphen', 'a@-example.com', false),
    ('label ends with hyphen', 'a@example-.com', false),
    ('last label starts with hyphen', 'a@example.-com', false),
    ('last label ends with hyphen', 'a@example.com-', false),
    ('label only a hyphen', 'a@-', false),
    ('middle label only hyphen', 'a@b.-.c', false),
    -- label lengths
    ('label 1', 'a@b.c', true),
    ('label 63 first', 'a@' || repeat('l', 63) || '.com', true),
    ('label 64 first', 'a@' || repeat('l', 64) || '.com', false),
    ('label 63 last', 'a@example.' || repeat('t', 63), true),
    ('label 64 last', 'a@example.' || repeat('t', 64), false),
    ('label 63 only', 'a@' || repeat('x', 63), true),
    ('label 64 only', 'a@' || repeat('x', 64), false),
    ('label 63 hyphens inside', 'a@x' || repeat('-', 61) || 'y.com', true),
    ('label 64 hyphens inside', 'a@x' || repeat('-', 62) || 'y.com', false),
    -- local part lengths (a limit of the C function only)
    ('local 1', 'u@example.com', true),
    ('local 64', repeat('u', 64) || '@example.com', true),
    ('local 65', repeat('u', 65) || '@example.com', false),
    ('local 64 dots', repeat('.', 64) || '@example.com', true),
    ('local 65 dots', repeat('.', 65) || '@example.com', false),
    -- total lengths (a limit of the C function only)
    ('total 254', repeat('u', 64) || '@' || repeat('a', 63) || '.' || repeat('b', 63) || '.' || repeat('c', 61), true),
    ('total 255', repeat('u', 64) || '@' || repeat('a', 63) || '.' || repeat('b', 63) || '.' || repeat('c', 62), false),
    ('total 254 short local', 'u@' || repeat('a', 63) || '.' || repeat('b', 63) || '.' || repeat('c', 63) || '.' || repeat('d', 60), true),
    ('total 255 short local', 'u@' || repeat('a', 63) || '.' || repeat('b', 63) || '.' || repeat('c', 63) || '.' || repeat('d', 61), false),
    ('total 288', repeat('u', 40) || '@' || repeat('d', 60) || '.' || repeat('e', 60) || '.' || repeat('f', 60) || '.' || repeat('g', 60) || '.com', false),
    -- quoted strings (RFC 5321 allows them, WHATWG does not)
    ('quoted local', '"a"@example.com', false),
    ('quoted with space', '"a b"@example.com', false),
    ('quoted with at', '"a@b"@example.com', false),
    ('quoted empty', '""@example.com', false),
    ('quoted escaped quote', '"a\"b"@example.com', false),
    ('quoted part of local', 'a."b".c@example.com', false),
    -- IP literals (RFC 5321 allows them, WHATWG does not)
    ('IPv4 literal', 'a@[127.0.0.1]', false),
    ('IPv6 literal', 'a@[IPv6:::1]', false),
    ('IPv6 literal full', 'a@[IPv6:2001:db8::1]', false),
    ('literal then label', 'a@[192.168.0.1].com', false),
    ('bare IPv6', 'a@2001:db8::1', false),
    -- comments (RFC 5322 CFWS)
    ('comment in local', 'a(comment)@example.com', false),
    ('comment before local', '(comment)a@example.com', false),
    ('comment after domain', 'a@example.com(comment)', false),
    ('comment before domain', 'a@(comment)example.com', false),
    -- whitespace
    ('leading space', ' a@example.com', false),
    ('trailing space', 'a@example.com ', false),
    ('space before at', 'a @example.com', false),
    ('space after at', 'a@ example.com', false),
    ('trailing newline', E'a@example.com\n', false),
    ('leading tab', E'\ta@example.com', false),
    ('CR in local', E'a\r@example.com', false),
    ('CRLF header injection', E'a@example.com\r\nBcc: x@y.z', false),
    ('only whitespace', E' \t', false),
    -- control characters
    ('SOH in local', E'a\x01b@example.com', false),
    ('unit separator', E'a\x1f@example.com', false),
    ('DEL in domain', E'a@exa\x7fmple.com', false),
    ('ESC in local', E'\x1b[0ma@example.com', false),
    -- non-ASCII (IDN must be given in punycode)
    ('umlaut local', 'jörg@example.com', false),
    ('umlaut domain', 'user@bücher.example', false),
    ('umlaut TLD', 'user@example.cöm', false),
    ('Greek', 'δοκιμή@παράδειγμα.δοκιμή', false),
    ('Chinese', '用户@例子.广告', false),
    ('Cyrillic lookalike a', 'pаypal@example.com', false),
    ('fullwidth at', 'a＠example.com', false),
    ('non-breaking space', E'a\u00a0b@example.com', false),
    ('zero-width space', E'a\u200b@example.com', false),
    ('emoji', '😀@example.com', false),
    -- multiple @
    ('two @', 'a@b@c', false),
    ('double @', 'a@@example.com', false),
    ('trailing @', 'a@example.com@', false),
    ('only @@', '@@', false),
    ('source route', '@a.com:user@b.com', false),
    -- empty parts
    ('empty', '', false),
    ('only @', '@', false),
    ('no local part', '@example.com', false),
    ('no domain', 'user@', false),
    ('no @', 'user.example.com', false),
    ('only a dot domain', 'user@.', false),
    ('dots both sides', '.@.', false),
    -- dots in the domain
    ('trailing dot domain', 'a@example.com.', false),
    ('leading dot domain', 'a@.example.com', false),
    ('double dot domain', 'a@example..com', false),
    -- other notations people type
    ('display name', 'John <john@example.com>', false),
    ('angle brackets', '<john@example.com>', false),
    ('mailto URI', 'mailto:a@example.com', false),
    ('two addresses', 'a@example.com,b@example.com', false),
    ('semicolon list', 'a@example.com;b@example.com', false);

-- how a case is printed: long ones abbreviated, invisible characters as
-- escapes
CREATE FUNCTION pg_temp.show(a text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN char_length(a) > 48 THEN left(a, 20) || '...' || right(a, 20)
           ELSE replace(replace(replace(replace(replace(replace(replace(replace(replace(
                a, E'\t', '\t'), E'\n', '\n'), E'\r', '\r'), E'\x1b', '\x1b'),
                E'\x01', '\x01'), E'\x1f', '\x1f'), E'\x7f', '\x7f'),
                E'\u00a0', '\u00a0'), E'\u200b', '\u200b')
           END
$$;

SELECT count(*) AS cases, count(*) FILTER (WHERE expected) AS expected_valid
FROM email_case;

-- every case: its verdict from the C function and from the WHATWG regex
SELECT c.n, c.note,
       pg_temp.show(c.addr) AS addr,
       octet_length(c.addr) AS bytes,
       c.expected,
       usrmgmt.is_valid_email(c.addr) AS c_function,
       c.addr ~ w.re AS whatwg_regex
FROM email_case c, whatwg w
ORDER BY c.n;

-- no case prints a raw control character
SELECT n, note FROM email_case WHERE pg_temp.show(addr) ~ '[\x01-\x1f\x7f]' ORDER BY n;

-- the C function against the stated expectation: must be 0
SELECT count(*) AS mismatches_with_expected
FROM email_case WHERE usrmgmt.is_valid_email(addr) IS DISTINCT FROM expected;

-- the C function against the regex plus the length limits: must be 0
SELECT count(*) AS mismatches_with_regex_and_limits
FROM email_case c, whatwg w
WHERE usrmgmt.is_valid_email(c.addr) IS DISTINCT FROM
      (c.addr ~ w.re AND octet_length(c.addr) <= 254 AND strpos(c.addr, '@') <= 65);

-- where the C function and the bare regex disagree: exactly the cases a
-- length limit refuses (the regex accepts them, the function does not)
SELECT c.n, c.note, octet_length(c.addr) AS bytes,
       strpos(c.addr, '@') - 1 AS local_bytes,
       usrmgmt.is_valid_email(c.addr) AS c_function, c.addr ~ w.re AS whatwg_regex
FROM email_case c, whatwg w
WHERE usrmgmt.is_valid_email(c.addr) IS DISTINCT FROM (c.addr ~ w.re)
ORDER BY c.n;

-- NULL in, NULL out (STRICT), so a NULL email column passes its CHECK
SELECT usrmgmt.is_valid_email(NULL) IS NULL AS strict_null;

-- a value far longer than any valid one is refused, not an error
SELECT usrmgmt.is_valid_email(repeat('a', 1000000) || '@example.com') AS one_megabyte;

-- beyond the listed cases: 5,000 generated strings near the limits, where
-- the function and regex plus limits must agree as well
SELECT count(*) AS generated,
       count(*) FILTER (WHERE usrmgmt.is_valid_email(a)) AS valid,
       count(*) FILTER (WHERE usrmgmt.is_valid_email(a) IS DISTINCT FROM
                        (a ~ w.re AND octet_length(a) <= 254 AND strpos(a, '@') <= 65)) AS mismatches
FROM (SELECT repeat(chr(97 + i % 3), i % 70) || substr('.-_@+', i % 5 + 1, 1) ||
             repeat('x', i % 67) || substr('@.-a', i % 4 + 1, 1) ||
             repeat(chr(48 + i % 10), (i * 7) % 66) || substr('.-', i % 2 + 1, 1) ||
             repeat('z', (i * 13) % 64) AS a
      FROM generate_series(1, 5000) AS i) g, whatwg w;

DROP TABLE email_case, whatwg;
DROP FUNCTION pg_temp.show(text);
DROP EXTENSION usrmgmt;
