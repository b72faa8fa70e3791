#!/usr/bin/env node
// `npm start` will run the whole system locally (apps/local, the embedded local cloud). Until that
// lands, say so plainly instead of failing with something obscure.
console.log(`Serverless Commerce: the local cloud (apps/local) is not built yet.

What works today:
  npm test            build, lint, typecheck and test every project
  npm run build       bundle every Lambda handler into apps/<app>/dist/<handler>/index.mjs

Coming next: \`npm start\` synthesizes the CDK app for a local stage and runs it on in-process
emulators (DynamoDB, SQS, Kinesis, Step Functions) at http://127.0.0.1:3000.`);
