'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { handler } = require('../src/index.js');

test('greets by name', async () => {
  const res = await handler({ name: 'Ada' });
  assert.strictEqual(res.statusCode, 200);
  assert.strictEqual(JSON.parse(res.body).message, 'Hello, Ada!');
});

test('greets the world without a name', async () => {
  const res = await handler({});
  assert.strictEqual(JSON.parse(res.body).message, 'Hello, world!');
});
