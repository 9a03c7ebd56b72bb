import { createOwner, joinAsScientist, loadDemoStore } from 'duet';

const hubUrl = process.env.DUET_HUB ?? 'http://localhost:8080';

// The data owner serves the demo data; a policy releases small results made only from demo data.
const { owner, session, close: stopOwner } = await createOwner({ hubUrl, store: await loadDemoStore() });
owner.policies.add({ action: 'approve', tags: ['demo'], maxElements: 10, message: 'Small demo results are fine.' });

// The data scientist joins with the code and works on pointers.
const { duet, session: dsSession, close: leave } = await joinAsScientist({ hubUrl, code: session.code });
await dsSession.connected();
console.log('Assets:', (await duet.store.list()).map((a) => a.id).join(', '));

const meanAge = duet.asset('adult').col('age').mean();
const exact = await meanAge.getNumber({ reason: 'Average age' }); // released by the policy
console.log(`Mean age: ${exact.toFixed(2)}`);
const dp = await meanAge.getDP({ epsilon: 0.5 }); // spends budget, no click
console.log(`DP mean age: ${dp.value?.toFixed(2)} (ε left: ${dp.remaining.epsilon})`);

leave();
stopOwner();
