// Draws docs/benchmarks/flight-node.svg from flight-node.json (bench/flight-node.ts calls it too).
import { readFileSync, writeFileSync } from 'node:fs';
import { barChartSvg } from './plot';

interface Row {
  case: string;
  flight_ms: { median: number };
  raw_grpc_ms: { median: number };
  seed_arrow_ms: number;
}

export function plotFlightNode(): void {
  const { cases } = JSON.parse(readFileSync('docs/benchmarks/flight-node.json', 'utf8')) as { cases: Row[] };
  const svg = barChartSvg('Node <-> Node direct Flight, median ms (log scale)', cases.map((c) => c.case), [
    { name: 'Duet Flight (hash verified)', color: '#2b6cb0', values: cases.map((c) => c.flight_ms.median) },
    { name: 'raw gRPC ceiling', color: '#9ae6b4', values: cases.map((c) => c.raw_grpc_ms.median) },
    { name: 'seed Arrow (PySyft 2021)', color: '#e53e3e', values: cases.map((c) => c.seed_arrow_ms) },
  ]);
  writeFileSync('docs/benchmarks/flight-node.svg', svg);
}

if (import.meta.url === `file://${process.argv[1]}`) plotFlightNode();
