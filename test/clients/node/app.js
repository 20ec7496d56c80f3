// test/clients/node/app.js: node-postgres on usrmgmt (test/clients/README.md).
//
// What to copy from it:
// - USER_COLUMNS and the users.* functions: usrmgmt."user" read and
//   written whole, every column as the table has it;
// - register(): the constraint names usrmgmt raises (23514, 23505) mapped
//   to messages for the form;
// - login(), sessionUser(), logout(): sessions through usrmgmt.authenticate(),
//   usrmgmt.touch_session() and usrmgmt.logout();
// - notes: the application's own table, with a foreign key to
//   usrmgmt."user"(id) (schema.sql).
//
// It connects as the application role of doc/usrmgmt.md, "Privileges and
// role recipes", with libpq's PG* variables (or DATABASE_URL).
'use strict';
const { Pool } = require('pg');

const pool = new Pool(process.env.DATABASE_URL
  ? { connectionString: process.env.DATABASE_URL } : {});

// usrmgmt."user": the profile.  Secrets and login state live in
// usrmgmt.user_auth, which no application reads.
const USER_COLUMNS = ['id', 'username', 'email', 'first_name', 'last_name',
  'is_admin', 'is_active', 'created_at', 'updated_at'];
const WRITABLE = ['username', 'email', 'first_name', 'last_name', 'is_admin', 'is_active'];

const users = {
  async create(fields, db = pool) {
    const cols = WRITABLE.filter((c) => fields[c] !== undefined);
    const { rows } = await db.query(
      `INSERT INTO usrmgmt."user" (${cols.join(', ')})
       VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})
       RETURNING *`, cols.map((c) => fields[c]));
    return rows[0];
  },
  async get(id, db = pool) {
    const { rows } = await db.query('SELECT * FROM usrmgmt."user" WHERE id = $1', [id]);
    return rows[0] || null;
  },
  // an UPDATE of every writable column, as an ORM's save() does
  async save(user, db = pool) {
    const { rows } = await db.query(
      `UPDATE usrmgmt."user" SET ${WRITABLE.map((c, i) => `${c} = $${i + 2}`).join(', ')}
       WHERE id = $1 RETURNING *`, [user.id, ...WRITABLE.map((c) => user[c])]);
    return rows[0] || null;
  },
  async remove(id, db = pool) {
    const { rowCount } = await db.query('DELETE FROM usrmgmt."user" WHERE id = $1', [id]);
    return rowCount === 1;
  },
};

// The constraint names of usrmgmt."user" (doc/usrmgmt.md, "Errors") and
// what the registration form says for each: [field, message].
const CONSTRAINT_MESSAGES = {
  user_username_format: ['username', 'A username has 3 to 80 letters, digits, "_" or "-".'],
  user_username_key: ['username', 'This username is taken.'],
  user_email_format: ['email', 'This is not a valid e-mail address.'],
  user_email_key: ['email', 'This e-mail address is already registered.'],
  user_first_name_length: ['first_name', 'A first name has 1 to 100 characters.'],
  user_last_name_length: ['last_name', 'A last name has 1 to 100 characters.'],
};

class RegistrationError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

// Creates a user and sets its password in one transaction; throws
// RegistrationError(field, message) for what the user can fix.
async function register({ username, password, email, first_name, last_name }) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const user = await users.create({ username, email, first_name, last_name }, client);
    await client.query('SELECT usrmgmt.set_password($1, $2)', [username, password]);
    await client.query('COMMIT');
    return user;
  } catch (err) {
    await client.query('ROLLBACK');
    if ((err.code === '23514' || err.code === '23505') && CONSTRAINT_MESSAGES[err.constraint]) {
      throw new RegistrationError(...CONSTRAINT_MESSAGES[err.constraint]);
    }
    if (err.code === '22023') { // set_password()'s length rule
      throw new RegistrationError('password', 'This password is too short.');
    }
    throw err;
  } finally {
    client.release();
  }
}

// The new session's id (a string: node-postgres returns bigint as text),
// or null: unknown, inactive, locked out or a wrong password, on purpose
// indistinguishable.
async function login(username, password, ipAddress = null, userAgent = null) {
  const { rows } = await pool.query('SELECT usrmgmt.authenticate($1, $2, $3, $4) AS id',
    [username, password, ipAddress, userAgent]);
  return rows[0].id;
}

// The user of an open session (touching it), or null.
async function sessionUser(sessionId) {
  const touched = await pool.query('SELECT usrmgmt.touch_session($1) AS open', [sessionId]);
  if (!touched.rows[0].open) return null; // logged out or expired
  const { rows } = await pool.query(
    `SELECT u.* FROM usrmgmt.online_user s JOIN usrmgmt."user" u ON u.id = s.user_id
      WHERE s.id = $1`, [sessionId]);
  return rows[0] || null;
}

async function logout(sessionId) {
  const { rows } = await pool.query('SELECT usrmgmt.logout($1) AS closed', [sessionId]);
  return rows[0].closed;
}

// When the user last logged in (usrmgmt keeps it out of "user").
async function lastLogin(userId) {
  const { rows } = await pool.query('SELECT usrmgmt.last_login($1) AS at', [userId]);
  return rows[0].at;
}

const notes = {
  async add(userId, body) {
    await pool.query('INSERT INTO note (user_id, body) VALUES ($1, $2)', [userId, body]);
  },
  async of(userId) {
    const { rows } = await pool.query('SELECT body FROM note WHERE user_id = $1 ORDER BY id',
      [userId]);
    return rows.map((r) => r.body);
  },
};

module.exports = {
  pool, USER_COLUMNS, users, CONSTRAINT_MESSAGES, RegistrationError,
  register, login, sessionUser, logout, lastLogin, notes,
};
