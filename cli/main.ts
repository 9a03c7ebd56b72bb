import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { isDuetError } from '../src/errors';
import { startCommand } from './start';

const HELP = `Usage: duet <command>

Commands:
  start [--port N]   Start the hub and serve the app (PORT, default 8080;
                     DUET_ICE_SERVERS sets ICE servers as JSON)
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
