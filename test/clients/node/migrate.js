// test/clients/node/migrate.js: applies schema.sql (npm run migrate).
'use strict';
const fs = require('fs');
const path = require('path');
const { Client } = require('pg');

async function main() {
  const client = new Client(); // libpq's PG* variables
  await client.connect();
  try {
    await client.query(fs.readFileSync(path.join(__dirname, 'schema.sql'), 'utf8'));
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  console.error(`migrate: ${err.message}`);
  process.exit(1);
});
