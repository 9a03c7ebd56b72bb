import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { isDuetError } from '../src/errors';
import { codecCommand, type CliIo } from './codec';
import { ownerCommand } from './owner';
import { startCommand } from './start';

const HELP = `Usage: duet <command>

Commands:
  start [--port N]   Start the hub and serve the app (PORT, default 8080;
                     DUET_ICE_SERVERS sets ICE servers as JSON)
  owner [files...]   A headless data owner: loads the files (CSV/TSV, Arrow,
                     Parquet, MNIST IDX, JSON; the demo when none), prints a
                     session code and serves until Ctrl+C (duet owner --help)
  codec encode --codec <id> [--dtype float32] [--shape 28,28] <in> <out>
  codec decode <in> <out>
                     Encode or decode a file with one of Duet's codecs
                     (--codec xz writes a plain .xz file that xz -d reads)
  help               Show this help
`;

const processIo: CliIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

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
      case 'owner':
        return await ownerCommand(args, processIo, appDir);
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
