import { createSession, joinSession } from 'duet';

const hubUrl = process.env.DUET_HUB ?? 'http://localhost:8080';

// The data owner makes a session and reads the code out...
const owner = await createSession({ hubUrl });
console.log(`Session code: ${owner.code}`);

// ...and the data scientist joins with it, over a direct WebRTC link.
const scientist = await joinSession({ hubUrl, code: owner.code });
await scientist.connected();
console.log(`Connected; round trip ${(await scientist.ping()).toFixed(1)} ms`);

scientist.close();
owner.close();
