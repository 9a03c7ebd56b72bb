// What a report must say about where it was measured (BENCHMARKS.md): cores, memory,
// kernel, Node version, date, and the versions of the tools the lab drives.

import os from 'node:os';
import { run } from './shell.js';

export interface MachineInfo {
  date: string;
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  iproute2: string | null;
  nftables: string | null;
  /** 1-minute load average when the run started: other work on the shared 2 cores shows here. */
  loadAverage1m: number;
}

async function versionOf(cmd: string, args: readonly string[]): Promise<string | null> {
  try {
    const { stdout, stderr } = await run(cmd, args);
    return (stdout || stderr).trim().split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  return {
    date: new Date().toISOString(),
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    iproute2: await versionOf('ip', ['-V']),
    nftables: await versionOf('nft', ['--version']),
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}
