#!/usr/bin/env node
// `npm run token -- <name>`: signs in the test customer <name>@example.com on the running local
// cloud's user pool (created on first use) and prints an access token for the API's customer routes:
//   TOKEN=$(npm run --silent token -- alice)
//   curl -H "authorization: Bearer $TOKEN" http://127.0.0.1:3000/orders/<orderId>
import { parseArgs } from 'node:util';
import type { UserPoolTarget } from '@shop/local-cloud';
import { testCustomers } from './clients/test-customers.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? '3000'}` },
    'id-token': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help || positionals.length !== 1) {
  console.error(`npm run --silent token -- <name> [--url URL] [--id-token]
  Signs in the test customer <name>@example.com (created on first use) on the local cloud at URL
  (default http://127.0.0.1:3000, or $PORT) and prints its access token, or its ID token.`);
  process.exit(values.help ? 0 : 2);
}

// The local cloud says which user pool its API trusts, and where that pool answers.
let userPool: UserPoolTarget;
try {
  const response = await fetch(`${values.url}/_local/identity`);
  if (!response.ok) throw new Error(`GET /_local/identity answered ${response.status}`);
  userPool = (await response.json()) as UserPoolTarget;
} catch (error) {
  console.error(
    `No local cloud answers at ${values.url} (${(error as Error).message}): start it with npm start, or pass --url.`,
  );
  process.exit(1);
}
try {
  const customer = await testCustomers(userPool).signIn(positionals[0] as string);
  process.stdout.write(`${values['id-token'] ? customer.idToken : customer.accessToken}\n`);
} catch (error) {
  console.error(`Could not sign in ${positionals[0]}: ${(error as Error).message}`);
  process.exit(1);
}
