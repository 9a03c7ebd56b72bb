import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { isDuetError } from '../src/errors';
import { codecCommand } from './codec';
import { startCommand } from './start';

const HELP = `Usage: duet <command>

Commands:
  start [--port N]   Start the hub and serve the app (PORT, default 8080;
                     DUET_ICE_SERVERS sets ICE servers as JSON)
  codec encode --codec <id> [--dtype float32] [--shape 28,28] <in> <out>
  codec decode <in> <out>
                     Encode or decode a file with one of Duet's codecs
                     (--codec xz writes a plain .xz file that xz -d reads)
  help               Show this help
`;

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '../app');

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'start':
      case 'hub':
        return await startCommand(args, appDir);
      case 'codec':
        return await codecCommand(args);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return 0;
      default:
        process.stderr.write(`duet: unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (e) {
    process.stderr.write(`duet: ${isDuetError(e) || e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
