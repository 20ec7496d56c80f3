// test/clients/node/test.js: the node-postgres example, run as the
// application role against a database prepared by test/clients/setup.sql,
// after `npm run migrate` (test/clients/run.sh does both).  node --test.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const app = require('./app');
// what each example's registration must answer (shared by the three tests)
const REGISTRATION_CASES = require('../registration_cases.json').cases;

test.after(() => app.pool.end());

async function scalar(sql, params = []) {
  const { rows } = await app.pool.query(sql, params);
  return Object.values(rows[0])[0];
}

test('USER_COLUMNS are the columns of usrmgmt."user"', async () => {
  const { rows } = await app.pool.query(
    `SELECT attname FROM pg_attribute WHERE attrelid = 'usrmgmt.user'::regclass
       AND attnum > 0 AND NOT attisdropped ORDER BY attnum`);
  assert.deepEqual(rows.map((r) => r.attname), app.USER_COLUMNS);
  const { fields } = await app.pool.query('SELECT * FROM usrmgmt."user" LIMIT 0');
  assert.deepEqual(fields.map((f) => f.name), app.USER_COLUMNS);
});

test('insert, select, update and delete whole rows', async () => {
  const u = await app.users.create({ username: 'orm_user', email: 'orm@example.com' });
  assert.equal(u.is_admin, false);
  assert.equal(u.is_active, true);
  assert.ok(u.created_at instanceof Date);
  const saved = await app.users.save({ ...u, first_name: 'Orm', is_active: false });
  assert.equal(saved.first_name, 'Orm');
  assert.equal(saved.is_active, false);
  assert.ok(saved.updated_at >= saved.created_at);
  assert.deepEqual(await app.users.get(u.id), saved);
  assert.equal(await app.users.remove(u.id), true);
  assert.equal(await app.users.get(u.id), null);
});

test('registration maps constraint names to messages', async () => {
  await app.register({ username: 'alice', password: 'correct horse', email: 'alice@example.com' });
  for (const { form, field, message } of REGISTRATION_CASES) {
    await assert.rejects(app.register(form), (err) => {
      assert.ok(err instanceof app.RegistrationError, err.message);
      assert.deepEqual([err.field, err.message], [field, message]);
      return true;
    });
  }
  assert.equal(await scalar(`SELECT count(*)::int FROM usrmgmt."user" WHERE username = 'bob'`), 0);
});

test('login, notes, logout', async () => {
  const carol = await app.register({ username: 'carol', password: 'carol secret' });
  assert.equal(await app.login('carol', 'wrong'), null);
  assert.equal(await app.lastLogin(carol.id), null);
  const sid = await app.login('carol', 'carol secret', '192.0.2.1', 'node-test');
  assert.match(sid, /^[0-9]+$/);
  assert.equal((await app.sessionUser(sid)).username, 'carol');
  assert.ok(await app.lastLogin(carol.id) instanceof Date);
  await app.notes.add(carol.id, 'first note');
  assert.deepEqual(await app.notes.of(carol.id), ['first note']);
  assert.equal(await app.logout(sid), true);
  assert.equal(await app.logout(sid), false);
  assert.equal(await app.sessionUser(sid), null);
  assert.equal(await scalar(
    `SELECT string_agg(action, ',' ORDER BY id) FROM usrmgmt.user_log WHERE user_id = $1`,
    [carol.id]), 'login,logout');
  // the foreign key: deleting the user deletes its notes
  await app.users.remove(carol.id);
  assert.deepEqual(await app.notes.of(carol.id), []);
});

test('secrets and the log stay out of reach: 42501', async () => {
  for (const sql of ['SELECT * FROM usrmgmt.user_auth',
    `INSERT INTO usrmgmt.user_log (user_id, username, action) VALUES (1, 'x', 'login')`]) {
    await assert.rejects(app.pool.query(sql), { code: '42501' });
  }
});

test('a superuser-only usrmgmt setting: the SET itself is 42501', async () => {
  // setup.sql loads usrmgmt at session start (session_preload_libraries):
  // node-postgres drops notices, so a SET dropped with a WARNING would go
  // unseen; this one fails at once.
  const client = await app.pool.connect();
  try {
    await assert.rejects(client.query('SET usrmgmt.password_iterations = 4096'),
      { code: '42501', message: 'permission denied to set parameter "usrmgmt.password_iterations"' });
  } finally {
    client.release();
  }
});
