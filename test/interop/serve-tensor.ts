// Interop check, server side: a Node data owner hosting Flight offers one float64 tensor
// (arange(12) as 3x4) and prints {port, ticket, hash}; then waits for stdin to close.
// Driven by flight_doget.py (Debian's python3-grpcio, the C-core gRPC stack); see README.md.
import { hashBytes, tensor, tensorBytes } from '../../src/tensor';
import { offerTensor, startFlightServer } from '../../signaling-server/flight';

const server = await startFlightServer({ authenticate: () => ({ sessionId: 'interop' }), port: 0, host: '127.0.0.1' });
const t = tensor('float64', [3, 4], Float64Array.from({ length: 12 }, (_, i) => i));
const ticket = offerTensor(server.relay, { sessionId: 'interop' }, t, { batchBytes: 64 });
console.log(JSON.stringify({ port: server.port, ticket: Buffer.from(ticket).toString('hex'), hash: await hashBytes(tensorBytes(t)) }));
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
